#!/usr/bin/env python3
"""Three variants of the shipped instances that exercise corners the shipped ones leave
untested, for cross-checking houniao_cpsat.py against `houniao solve` and `houniao check`.

    variants.py OUTDIR        (run from the repository root; writes OUTDIR/*.json)

- fenghua-A: three sessions a day (am, pm, eve), a holiday, residencies without fixed days
  (consecutive over a holiday, not consecutive, not the same days, one week only), fractional
  weights, longer travel, local specialists at two sites, max_sessions_per_day = 1,
  session-level `available`/`avoid`, substitute_ok on named requests.
- yangpu-B: a studio and an MDT board with zero weekly demand, clinic_capacity = 0,
  fractional weights.
- ningde-C: two weeks, Saturdays open, a Thursday holiday, flexible residencies with the same
  weekdays in both weeks, residencies limited to some weeks.
"""

import copy
import json
import random
import sys
import tomllib
from pathlib import Path


def load(name):
    with open(f"instances/{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "target/cpsat-variants")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)

    a = copy.deepcopy(load("fenghua-county"))
    a["name"] = "fenghua-A"
    a["horizon"]["sessions"] = [
        {"id": "am", "start": "08:00", "end": "12:00"},
        {"id": "pm", "start": "13:30", "end": "17:30"},
        {"id": "eve", "start": "18:00", "end": "21:00"},
    ]
    a["horizon"]["holidays"] = ["2026-03-11"]
    for r in a["residencies"]:
        if r["specialist"] == "xu-chunyan":
            del r["days"]
            r["consecutive"], r["same_days_every_week"] = True, True
        if r["specialist"] == "ye-guoqiang":
            del r["days"]
            r["consecutive"], r["same_days_every_week"] = False, False
        if r["specialist"] == "dai-jianping":
            del r["days"]
            r["days_per_week"], r["consecutive"], r["same_days_every_week"] = 2, True, False
        if r["specialist"] == "ying-xiaoqin":
            r["weeks"] = [1]
    a["weights"] = {"visiting_day_cost": 0.015, "wait_day": 0.5, "idle_visiting_session": 7.5, "avoided_slot": 2.25}
    for t in a["travel"]:
        t["minutes"] += 35
    locals_ = [s for s in a["specialists"] if not s.get("visiting")]
    sites = [s["id"] for s in a["sites"]]
    for s in rng.sample(locals_, 4):
        s["sites"] = s["sites"] + [rng.choice([x for x in sites if x not in s["sites"]])]
    for s in rng.sample(a["specialists"], 4):
        s["max_sessions_per_day"] = 1
    visiting = [s for s in a["specialists"] if s.get("visiting")]
    for s in rng.sample(visiting, 3):
        s["avoid"] = s.get("avoid", []) + ["wed:eve", "mon:am"]
        s["available"] = ["mon", "tue:am", "wed", "thu", "fri:pm"]
    for r in rng.sample([r for r in a["requests"] if r.get("specialist")], 5):
        r["substitute_ok"] = True

    y = load("yangpu-studios")
    y["name"] = "yangpu-B"
    y["studios"][0]["sessions_per_week"] = 0
    y["mdt_boards"][0]["meetings_per_week"] = 0
    for s in rng.sample(y["specialists"], 3):
        s["clinic_capacity"] = 0
    y["weights"] = {"unmet_clinic_session": 12.5, "substitute": 3.3, "visiting_day_cost": 0.007}

    n = load("ningde-regional")
    n["name"] = "ningde-C"
    n["horizon"]["weeks"] = 2
    n["horizon"]["holidays"] = ["2026-03-12"]
    n["horizon"]["closed_weekdays"] = ["sun"]
    for r in n["residencies"]:
        if r["specialist"] in ("zhou-min", "he-jing"):
            del r["days"]
        if r["specialist"] == "xu-qiang":
            del r["days"]
            r["same_days_every_week"] = False
        if r["specialist"] == "sun-li":
            r["weeks"] = [1]
        if "thu" in r.get("days", []):
            r["weeks"] = [0]
    for s in n["specialists"]:
        if s["id"] == "xu-qiang":
            s["available"] = ["mon", "tue", "wed", "thu", "fri", "sat"]
    for r in n["requests"]:
        r["latest"] = "2026-03-12"

    for inst in (a, y, n):
        path = out / f"{inst['name']}.json"
        with open(path, "w") as fh:
            json.dump(inst, fh, indent=1, default=str)
        print(path)


if __name__ == "__main__":
    main()
