#!/usr/bin/env python3
"""houniao_cpsat: an independent reference solver of PROBLEM.md with OR-Tools CP-SAT.

It reads a houniao instance (TOML or JSON), builds a CP-SAT model of every hard rule of
PROBLEM.md §3 and the exact §4 objective, and writes a §6 roster that `houniao check`
accepts. It shares no code with houniao: it exists only to compare houniao's optimizer
against the strongest alternative we can run.

Usage:
    houniao_cpsat.py INSTANCE --time-limit SECONDS --workers N -o ROSTER.json [--log]
                     [--hint HOUNIAO_ROSTER.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
import tomllib
from collections import defaultdict

from ortools.sat.python import cp_model

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TERMS = [
    "unserved_request",
    "substitute",
    "wait_day",
    "unscheduled_surgery",
    "surgery_late_day",
    "missing_mdt_meeting",
    "missing_studio_session",
    "unmet_clinic_session",
    "visiting_day_cost",
    "idle_visiting_session",
    "avoided_slot",
]
DEFAULT_WEIGHTS = {
    "unserved_request": 100.0,
    "substitute": 20.0,
    "wait_day": 1.0,
    "unscheduled_surgery": 300.0,
    "surgery_late_day": 20.0,
    "missing_mdt_meeting": 400.0,
    "missing_studio_session": 200.0,
    "unmet_clinic_session": 50.0,
    "visiting_day_cost": 0.01,
    "idle_visiting_session": 10.0,
    "avoided_slot": 5.0,
}
DEFAULT_SESSIONS = [
    {"id": "am", "start": "08:00", "end": "12:00"},
    {"id": "pm", "start": "13:30", "end": "17:30"},
]


def log(msg: str) -> None:
    print(f"[cpsat] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Instance
# --------------------------------------------------------------------------------------


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def parse_minutes(text: str) -> int:
    if isinstance(text, dt.time):
        return text.hour * 60 + text.minute
    h, m = str(text).split(":")
    return int(h) * 60 + int(m)


def fmt_minutes(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


class Obj:
    """A plain record."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Instance:
    """The instance with every default of PROBLEM.md / docs/format.md applied.

    Dates are day offsets `di` from horizon.start (0 … 7·weeks−1); slots are (di, k)
    with k the session index. Validity is assumed (run `houniao validate` first).
    """

    def __init__(self, raw: dict):
        self.name = raw.get("name", "")
        h = raw["horizon"]
        self.start = parse_date(h["start"])
        self.weeks = int(h["weeks"])
        sessions = h.get("sessions") or DEFAULT_SESSIONS
        self.sessions = [
            Obj(id=s["id"], start=parse_minutes(s["start"]), end=parse_minutes(s["end"]))
            for s in sessions
        ]
        for s in self.sessions:
            s.length = s.end - s.start
        self.K = len(self.sessions)
        self.session_ix = {s.id: k for k, s in enumerate(self.sessions)}
        closed = set(h.get("closed_weekdays", ["sat", "sun"]))
        self.holidays = {parse_date(x) for x in h.get("holidays", [])}
        self.ndays = 7 * self.weeks
        self.dates = [self.start + dt.timedelta(days=i) for i in range(self.ndays)]
        self.weekday = [d.weekday() for d in self.dates]
        self.is_open = [
            WEEKDAYS[self.weekday[i]] not in closed and self.dates[i] not in self.holidays
            for i in range(self.ndays)
        ]
        self.open_days = [i for i in range(self.ndays) if self.is_open[i]]
        self.open_pos = {di: p for p, di in enumerate(self.open_days)}

        # sites and travel
        self.sites = [Obj(id=s["id"], name=s.get("name", s["id"]), kind=s.get("kind")) for s in raw.get("sites", [])]
        self.site_ix = {s.id: i for i, s in enumerate(self.sites)}
        self.travel = {}
        for t in raw.get("travel", []):
            a, b = self.site_ix[t["from"]], self.site_ix[t["to"]]
            self.travel[(a, b)] = int(t["minutes"])
            self.travel[(b, a)] = int(t["minutes"])

        # rooms
        self.rooms = []
        for r in raw.get("rooms", []):
            room = Obj(
                id=r["id"],
                site=self.site_ix[r["site"]],
                kind=r["kind"],
                tags=frozenset(r.get("tags", [])),
                unavailable=self.slot_set(r.get("unavailable", [])),
                capacity=r.get("capacity_minutes"),
            )
            self.rooms.append(room)
        self.room_ix = {r.id: i for i, r in enumerate(self.rooms)}

        # specialists
        self.specialists = []
        for s in raw.get("specialists", []):
            sp = Obj(
                id=s["id"],
                name=s.get("name", s["id"]),
                visiting=bool(s.get("visiting", False)),
                sites=[self.site_ix[x] for x in s["sites"]],
                disciplines=list(s["disciplines"]),
                grade=int(s.get("surgery_grade", 0)),
                available=self.weekly_pattern(s.get("available", ["mon", "tue", "wed", "thu", "fri"])),
                unavailable=self.slot_set(s.get("unavailable", [])),
                max_week=s.get("max_sessions_per_week"),
                max_day=s.get("max_sessions_per_day"),
                capacity=int(s.get("clinic_capacity", 20)),
                day_cost=float(s.get("day_cost", 0.0)),
                avoid=self.weekly_pattern(s.get("avoid", [])),
            )
            self.specialists.append(sp)
        self.spec_ix = {s.id: i for i, s in enumerate(self.specialists)}
        for sp in self.specialists:
            sp.work = set()
            for di in self.open_days:
                for k in range(self.K):
                    if (self.weekday[di], k) in sp.available and not self.in_slot_set(sp.unavailable, di, k):
                        sp.work.add((di, k))
            sp.onsite_days = sorted({di for (di, _k) in sp.work})

        # residencies
        self.residencies = []
        for r in raw.get("residencies", []):
            self.residencies.append(
                Obj(
                    specialist=self.spec_ix[r["specialist"]],
                    site=self.site_ix[r["site"]],
                    days_per_week=int(r["days_per_week"]),
                    days=[WEEKDAYS.index(d) for d in r["days"]] if r.get("days") is not None else None,
                    consecutive=bool(r.get("consecutive", True)),
                    same=bool(r.get("same_days_every_week", True)),
                    weeks=sorted(set(int(w) for w in r["weeks"])) if r.get("weeks") is not None else list(range(self.weeks)),
                )
            )

        # studios
        self.studios = []
        for s in raw.get("studios", []):
            lead = self.spec_ix[s["lead"]]
            self.studios.append(
                Obj(
                    id=s["id"],
                    name=s.get("name", s["id"]),
                    lead=lead,
                    site=self.site_ix[s["site"]],
                    discipline=s.get("discipline", self.specialists[lead].disciplines[0]),
                    per_week=int(s["sessions_per_week"]),
                    tags=frozenset(s.get("room_tags", [])),
                    apprentices=[self.spec_ix[a] for a in s.get("apprentices", [])],
                    min_apprentices=int(s.get("min_apprentices", 1)),
                )
            )

        # MDT boards
        self.boards = []
        for b in raw.get("mdt_boards", []):
            sessions = b.get("sessions")
            self.boards.append(
                Obj(
                    id=b["id"],
                    name=b.get("name", b["id"]),
                    site=self.site_ix[b["site"]],
                    required=list(dict.fromkeys(b.get("required", []))),
                    remote_ok=set(b.get("remote_ok", [])),
                    per_week=int(b["meetings_per_week"]),
                    sessions={self.session_ix[x] for x in sessions} if sessions is not None else set(range(self.K)),
                    tags=frozenset(b.get("room_tags", [])),
                )
            )

        # clinic demand
        self.demands = []
        for c in raw.get("clinic_demand", []):
            self.demands.append(
                Obj(
                    site=self.site_ix[c["site"]],
                    discipline=c["discipline"],
                    per_week=int(c["sessions_per_week"]),
                    tags=frozenset(c.get("room_tags", [])),
                )
            )

        # surgeries
        self.surgeries = []
        for g in raw.get("surgeries", []):
            self.surgeries.append(
                Obj(
                    id=g["id"],
                    discipline=g["discipline"],
                    surgeon=self.spec_ix[g["surgeon"]] if g.get("surgeon") is not None else None,
                    grade=int(g["grade"]),
                    minutes=int(g["minutes"]),
                    tags=frozenset(g.get("room_tags", [])),
                    site=self.site_ix[g["site"]] if g.get("site") is not None else None,
                    release=self.day_offset(g["release"]),
                    due=self.day_offset(g["due"]),
                    priority=int(g.get("priority", 1)),
                )
            )

        # requests
        self.requests = []
        for r in raw.get("requests", []):
            named = self.spec_ix[r["specialist"]] if r.get("specialist") is not None else None
            discipline = r.get("discipline")
            if discipline is None:
                discipline = self.specialists[named].disciplines[0]
            sites = r.get("sites")
            self.requests.append(
                Obj(
                    id=r["id"],
                    named=named,
                    discipline=discipline,
                    sites={self.site_ix[x] for x in sites} if sites is not None else None,
                    earliest=self.day_offset(r["earliest"]),
                    latest=self.day_offset(r["latest"]),
                    substitute_ok=bool(r.get("substitute_ok", False)),
                    priority=int(r.get("priority", 1)),
                )
            )

        self.studio_ix = {x.id: i for i, x in enumerate(self.studios)}
        self.board_ix = {x.id: i for i, x in enumerate(self.boards)}
        self.surgery_ix = {x.id: i for i, x in enumerate(self.surgeries)}
        self.request_ix = {x.id: i for i, x in enumerate(self.requests)}
        self.weights = dict(DEFAULT_WEIGHTS)
        for key, value in (raw.get("weights") or {}).items():
            if key not in self.weights:
                raise ValueError(f"unknown weight {key!r}")
            self.weights[key] = float(value)

    # -- helpers -----------------------------------------------------------------------
    def day_offset(self, value) -> int:
        return (parse_date(value) - self.start).days

    def weekly_pattern(self, refs) -> set:
        out = set()
        for ref in refs:
            day, _, session = str(ref).partition(":")
            wd = WEEKDAYS.index(day)
            if session:
                out.add((wd, self.session_ix[session]))
            else:
                for k in range(self.K):
                    out.add((wd, k))
        return out

    def slot_set(self, refs):
        dates, slots = set(), set()
        for ref in refs:
            date, _, session = str(ref).partition(":")
            di = self.day_offset(date)
            if session:
                slots.add((di, self.session_ix[session]))
            else:
                dates.add(di)
        return (dates, slots)

    @staticmethod
    def in_slot_set(sset, di, k) -> bool:
        return di in sset[0] or (di, k) in sset[1]

    def week_of(self, di: int) -> int:
        return di // 7

    def date_str(self, di: int) -> str:
        return (self.start + dt.timedelta(days=di)).isoformat()

    def day_label(self, di: int) -> str:
        d = self.start + dt.timedelta(days=di)
        return f"{WEEKDAYS[d.weekday()]} {d.strftime('%b')} {d.day}"

    def can_work(self, s: int, di: int, k: int) -> bool:
        return (di, k) in self.specialists[s].work

    def room_capacity(self, room, k) -> int:
        return int(room.capacity) if room.capacity is not None else self.sessions[k].length


def load_instance(path: str) -> Instance:
    with open(path, "rb") as fh:
        data = fh.read()
    text = data.decode("utf-8")
    if path.endswith(".json") or text.lstrip().startswith("{"):
        raw = json.loads(text)
    else:
        raw = tomllib.loads(text)
    return Instance(raw)


# --------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------


class Model:
    """The CP-SAT model. Variables are kept in dicts keyed by what they mean."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.m = cp_model.CpModel()
        self.obj = []  # (coefficient float, literal or int var)
        self.constant = 0.0
        self.build()

    # ---------------------------------------------------------------------------------
    def build(self):
        I = self.inst
        m = self.m
        W = I.weights

        # room classes: clinic and meeting rooms with the same site, kind and tag set
        self.classes = []  # Obj(site, kind, tags, rooms)
        class_of = {}
        for ri, room in enumerate(I.rooms):
            if room.kind not in ("clinic", "meeting"):
                continue
            key = (room.site, room.kind, room.tags)
            if key not in class_of:
                class_of[key] = len(self.classes)
                self.classes.append(Obj(site=room.site, kind=room.kind, tags=room.tags, rooms=[]))
            self.classes[class_of[key]].rooms.append(ri)
        self.room_class = {ri: class_of[(r.site, r.kind, r.tags)] for ri, r in enumerate(I.rooms) if r.kind in ("clinic", "meeting")}

        def avail_rooms(c, di, k):
            return [ri for ri in self.classes[c].rooms if not I.in_slot_set(I.rooms[ri].unavailable, di, k)]

        self.avail_rooms = avail_rooms
        self.room_avail_count = {}
        for c in range(len(self.classes)):
            for di in I.open_days:
                for k in range(I.K):
                    self.room_avail_count[(c, di, k)] = len(avail_rooms(c, di, k))

        self.acts = defaultdict(list)  # (s, di, k) -> [(lit, site or None)]
        self.sess = defaultdict(list)  # (s, di, k) -> [(lit, site, discipline, room class)]
        self.room_use = defaultdict(list)  # (class, di, k) -> [lit] in creation order
        self.room_users = defaultdict(list)  # (class, di, k) -> [(kind, key)] same order

        # ---- clinics (rule 5) -------------------------------------------------------
        demand_keys = set()
        for e in I.demands:
            demand_keys.add((e.site, e.discipline, e.tags))
        sub_disc_sites = defaultdict(set)  # discipline -> sites (None = any)
        named_sites = defaultdict(set)
        for r in I.requests:
            if r.latest < 0 or r.earliest >= I.ndays or r.latest < r.earliest:
                continue
            if r.named is None or r.substitute_ok:
                sub_disc_sites[r.discipline].add(None if r.sites is None else frozenset(r.sites))
            if r.named is not None:
                named_sites[r.named].add(None if r.sites is None else frozenset(r.sites))

        def site_in(sets, n):
            return any(x is None or n in x for x in sets)

        self.clinic_disc = {}
        self.X = {}
        for s, sp in enumerate(I.specialists):
            for c, cl in enumerate(self.classes):
                if cl.kind != "clinic" or cl.site not in sp.sites:
                    continue
                useful = []
                for delta in sp.disciplines:
                    if delta in useful:
                        continue
                    if any(n == cl.site and d == delta and t <= cl.tags for (n, d, t) in demand_keys):
                        useful.append(delta)
                    elif sp.capacity > 0 and site_in(sub_disc_sites.get(delta, ()), cl.site):
                        useful.append(delta)
                if not useful and (sp.visiting or (sp.capacity > 0 and site_in(named_sites.get(s, ()), cl.site))):
                    useful = [sp.disciplines[0]]
                self.clinic_disc[(s, c)] = useful
                if not useful:
                    continue
                for (di, k) in sorted(sp.work):
                    if self.room_avail_count[(c, di, k)] == 0:
                        continue
                    for delta in useful:
                        x = m.NewBoolVar(f"x_{sp.id}_{di}_{k}_{c}_{delta}")
                        self.X[(s, di, k, c, delta)] = x
                        self.acts[(s, di, k)].append((x, cl.site))
                        self.sess[(s, di, k)].append((x, cl.site, delta, c))
                        self.room_use[(c, di, k)].append(x)
                        self.room_users[(c, di, k)].append(("clinic", (s, di, k, c, delta)))

        # ---- studios (rule 6) -------------------------------------------------------
        self.Z = {}
        self.A = {}
        self.studio_slots = defaultdict(list)  # (studio, di, k) -> [z]
        for si, st in enumerate(I.studios):
            lead = I.specialists[st.lead]
            if st.site not in lead.sites:
                continue
            classes = [c for c, cl in enumerate(self.classes) if cl.kind == "clinic" and cl.site == st.site and st.tags <= cl.tags]
            for (di, k) in sorted(lead.work):
                apprentices = [
                    a for a in st.apprentices
                    if a != st.lead and I.can_work(a, di, k) and st.site in I.specialists[a].sites
                ]
                if len(apprentices) < st.min_apprentices:
                    continue
                zs = []
                for c in classes:
                    if self.room_avail_count[(c, di, k)] == 0:
                        continue
                    z = m.NewBoolVar(f"z_{st.id}_{di}_{k}_{c}")
                    self.Z[(si, di, k, c)] = z
                    zs.append(z)
                    self.acts[(st.lead, di, k)].append((z, st.site))
                    self.sess[(st.lead, di, k)].append((z, st.site, st.discipline, c))
                    self.room_use[(c, di, k)].append(z)
                    self.room_users[(c, di, k)].append(("studio", (si, di, k, c)))
                if not zs:
                    continue
                self.studio_slots[(si, di, k)] = zs
                if len(zs) > 1:
                    m.AddAtMostOne(zs)
                alits = []
                for a in apprentices:
                    av = m.NewBoolVar(f"a_{st.id}_{di}_{k}_{I.specialists[a].id}")
                    self.A[(si, di, k, a)] = av
                    alits.append(av)
                    m.AddBoolOr([av.Not()] + zs)
                    self.acts[(a, di, k)].append((av, st.site))
                if st.min_apprentices > 0:
                    m.Add(sum(alits) >= st.min_apprentices * sum(zs))

        # ---- MDT meetings (rule 7) --------------------------------------------------
        self.M = {}
        self.Q = {}
        self.meeting_slots = defaultdict(list)  # (board, di, k) -> [m]
        disc_holders = defaultdict(list)
        for s, sp in enumerate(I.specialists):
            for delta in dict.fromkeys(sp.disciplines):
                disc_holders[delta].append(s)
        for bi, b in enumerate(I.boards):
            classes = [c for c, cl in enumerate(self.classes) if cl.kind == "meeting" and cl.site == b.site and b.tags <= cl.tags]
            for di in I.open_days:
                for k in sorted(b.sessions):
                    cs = [c for c in classes if self.room_avail_count[(c, di, k)] > 0]
                    if not cs:
                        continue
                    seats = {}
                    ok = True
                    for j in b.required:
                        cand = []
                        for s in disc_holders.get(j, []):
                            if not I.can_work(s, di, k):
                                continue
                            if b.site in I.specialists[s].sites:
                                cand.append((s, False))
                            if j in b.remote_ok:
                                cand.append((s, True))
                        if not cand:
                            ok = False
                            break
                        seats[j] = cand
                    if not ok:
                        continue
                    ms = []
                    for c in cs:
                        mv = m.NewBoolVar(f"m_{b.id}_{di}_{k}_{c}")
                        self.M[(bi, di, k, c)] = mv
                        ms.append(mv)
                        self.room_use[(c, di, k)].append(mv)
                        self.room_users[(c, di, k)].append(("mdt", (bi, di, k, c)))
                    self.meeting_slots[(bi, di, k)] = ms
                    if len(ms) > 1:
                        m.AddAtMostOne(ms)
                    for j, cand in seats.items():
                        qs = []
                        for (s, remote) in cand:
                            q = m.NewBoolVar(f"q_{b.id}_{di}_{k}_{j}_{I.specialists[s].id}_{int(remote)}")
                            self.Q[(bi, di, k, j, s, remote)] = q
                            qs.append(q)
                            self.acts[(s, di, k)].append((q, None if remote else b.site))
                        m.Add(sum(qs) == sum(ms))

        # ---- surgeries (rule 8) -----------------------------------------------------
        # T[g, slot, theatre]: surgery g in that theatre; U[g, slot, surgeon, site]: done by
        # that surgeon at that site. Per (g, slot, site) both sides are equal, so a surgery
        # placed in a theatre at site n has exactly one surgeon operating at n.
        self.T = {}
        self.U = {}
        self.O = {}
        theatres = [ri for ri, r in enumerate(I.rooms) if r.kind == "theatre"]
        theatre_load = defaultdict(list)  # (room, di, k) -> [(minutes, t)]
        surgeon_load = defaultdict(list)  # (s, di, k) -> [(minutes, u)]
        surgeon_site = defaultdict(list)  # (s, di, k, n) -> [u]
        self.surgery_vars = defaultdict(list)  # g -> [(t, di)]
        for gi, g in enumerate(I.surgeries):
            if g.surgeon is not None:
                surgeons = [g.surgeon] if I.specialists[g.surgeon].grade >= g.grade else []
            else:
                surgeons = [s for s in disc_holders.get(g.discipline, []) if I.specialists[s].grade >= g.grade]
            fitting = [
                ri for ri in theatres
                if g.tags <= I.rooms[ri].tags and (g.site is None or I.rooms[ri].site == g.site)
            ]
            for di in I.open_days:
                if di < g.release:
                    continue
                for k in range(I.K):
                    if g.minutes > I.sessions[k].length:
                        continue
                    by_site = defaultdict(list)
                    for ri in fitting:
                        room = I.rooms[ri]
                        if not I.in_slot_set(room.unavailable, di, k) and I.room_capacity(room, k) >= g.minutes:
                            by_site[room.site].append(ri)
                    for n, rooms in by_site.items():
                        who = [s for s in surgeons if I.can_work(s, di, k) and n in I.specialists[s].sites]
                        if not who:
                            continue
                        ts, us = [], []
                        for ri in rooms:
                            t = m.NewBoolVar(f"t_{g.id}_{di}_{k}_{I.rooms[ri].id}")
                            self.T[(gi, di, k, ri)] = t
                            ts.append(t)
                            self.surgery_vars[gi].append((t, di))
                            theatre_load[(ri, di, k)].append((g.minutes, t))
                        for s in who:
                            u = m.NewBoolVar(f"u_{g.id}_{di}_{k}_{I.specialists[s].id}_{n}")
                            self.U[(gi, di, k, s, n)] = u
                            us.append(u)
                            surgeon_load[(s, di, k)].append((g.minutes, u))
                            surgeon_site[(s, di, k, n)].append(u)
                        m.Add(sum(ts) == sum(us))
            if len(self.surgery_vars[gi]) > 1:
                m.AddAtMostOne([t for t, _ in self.surgery_vars[gi]])
        for (s, di, k, n), us in surgeon_site.items():
            o = m.NewBoolVar(f"o_{I.specialists[s].id}_{di}_{k}_{n}")
            self.O[(s, di, k, n)] = o
            for u in us:
                m.AddImplication(u, o)
            m.AddBoolOr([o.Not()] + us)
            self.acts[(s, di, k)].append((o, n))
        for (ri, di, k), load in theatre_load.items():
            cap = I.room_capacity(I.rooms[ri], k)
            if sum(mins for mins, _ in load) > cap:
                m.Add(sum(mins * u for mins, u in load) <= cap)
        for (s, di, k), load in surgeon_load.items():
            length = I.sessions[k].length
            if sum(mins for mins, _ in load) > length:
                m.Add(sum(mins * u for mins, u in load) <= length)

        # ---- rooms (rule 1) ---------------------------------------------------------
        for (c, di, k), lits in self.room_use.items():
            cap = self.room_avail_count[(c, di, k)]
            if len(lits) > cap:
                if cap == 1:
                    m.AddAtMostOne(lits)
                else:
                    m.Add(sum(lits) <= cap)

        # ---- bookings (rule 9) ------------------------------------------------------
        # Bookable sessions (clinics, studio leads; clinic_capacity > 0) are grouped by
        # (date, session, site, discipline). A request booked with its named specialist is
        # a direct booking b[r, s, group]; any other booking (no one named, or
        # substitute_ok) is a group booking G[r, group] that any holder of a session in
        # the group may take: for it the holders are interchangeable (its cost depends on
        # the date and on "named or not" only), so bookings can be handed to holders iff
        # each specialist's direct bookings fit their capacity and each group's bookings
        # fit the sum of its held sessions' capacities.
        self.groups = defaultdict(lambda: defaultdict(list))  # g -> s -> [session literals]
        spec_groups = defaultdict(list)  # (s, di, k) -> [g]
        for (s, di, k), sessions in self.sess.items():
            if I.specialists[s].capacity <= 0:
                continue
            for (lit, site, delta, _c) in sessions:
                g = (di, k, site, delta)
                if g not in self.groups or s not in self.groups[g]:
                    spec_groups[(s, di, k)].append(g)
                self.groups[g][s].append(lit)
        self.groups = {g: dict(members) for g, members in self.groups.items()}
        self.B = {}  # (r, s, g): direct booking with the named specialist
        self.G = {}  # (r, g): booking with anyone holding a session of the group
        self.request_vars = defaultdict(list)  # r -> [(var, specialist or None for a group booking, di)]
        in_group = defaultdict(list)
        direct_of = defaultdict(list)
        all_sites = list(range(len(I.sites)))
        for ri_, r in enumerate(I.requests):
            days = [di for di in range(max(r.earliest, 0), min(r.latest, I.ndays - 1) + 1) if I.is_open[di]]
            if r.named is not None and I.specialists[r.named].capacity > 0:
                s0 = r.named
                for di in days:
                    for k in range(I.K):
                        for g in spec_groups.get((s0, di, k), []):
                            if r.sites is not None and g[2] not in r.sites:
                                continue
                            bv = m.NewBoolVar(f"b_{r.id}_{di}_{k}_{g[2]}_{g[3]}")
                            self.B[(ri_, s0, g)] = bv
                            m.AddBoolOr([bv.Not()] + self.groups[g][s0])
                            in_group[g].append(bv)
                            direct_of[(s0, g)].append(bv)
                            self.request_vars[ri_].append((bv, s0, di))
            if r.named is None or r.substitute_ok:
                for di in days:
                    for k in range(I.K):
                        for n in (sorted(r.sites) if r.sites is not None else all_sites):
                            g = (di, k, n, r.discipline)
                            members = self.groups.get(g)
                            if not members:
                                continue
                            others = [lit for s, lits in members.items() if s != r.named for lit in lits]
                            if not others:
                                continue
                            gv = m.NewBoolVar(f"g_{r.id}_{di}_{k}_{n}")
                            self.G[(ri_, g)] = gv
                            m.AddBoolOr([gv.Not()] + others)
                            in_group[g].append(gv)
                            self.request_vars[ri_].append((gv, None, di))
            if len(self.request_vars[ri_]) > 1:
                m.AddAtMostOne([v for v, _, _ in self.request_vars[ri_]])
        for g, bs in in_group.items():
            members = self.groups[g]
            if len(bs) > min(I.specialists[s].capacity for s in members):
                m.Add(sum(bs) <= sum(I.specialists[s].capacity * lit for s, lits in members.items() for lit in lits))
        for (s, g), bs in direct_of.items():
            cap = I.specialists[s].capacity
            if len(bs) > cap:
                m.Add(sum(bs) <= cap * sum(self.groups[g][s]))

        # ---- presence (rules 2 and 4) -----------------------------------------------
        self.P = {}
        tracked = [s for s, sp in enumerate(I.specialists) if sp.visiting or len(set(sp.sites)) >= 2]
        self.tracked = tracked
        for s in tracked:
            sp = I.specialists[s]
            sites = list(dict.fromkeys(sp.sites))
            for di in sp.onsite_days:
                for n in sites:
                    self.P[(s, di, n)] = m.NewBoolVar(f"p_{sp.id}_{di}_{n}")
        for (s, di, k), acts in self.acts.items():
            if (s, di, I.specialists[s].sites[0]) not in self.P:
                continue
            for lit, n in acts:
                if n is not None:
                    m.AddImplication(lit, self.P[(s, di, n)])

        # rule 2: at most two sites a day, a travel entry between them, time to travel
        for s in tracked:
            sp = I.specialists[s]
            sites = list(dict.fromkeys(sp.sites))
            if len(sites) < 2:
                continue
            for di in sp.onsite_days:
                ps = [self.P[(s, di, n)] for n in sites]
                if len(sites) > 2:
                    m.Add(sum(ps) <= 2)
                for a in range(len(sites)):
                    for b in range(a + 1, len(sites)):
                        na, nb = sites[a], sites[b]
                        if (na, nb) not in I.travel:
                            m.AddBoolOr([self.P[(s, di, na)].Not(), self.P[(s, di, nb)].Not()])
                for k1 in range(I.K):
                    for k2 in range(k1 + 1, I.K):
                        gap = I.sessions[k2].start - I.sessions[k1].end
                        for na in sites:
                            for nb in sites:
                                if na == nb or (na, nb) not in I.travel or gap >= I.travel[(na, nb)]:
                                    continue
                                early = [lit for lit, n in self.acts.get((s, di, k1), []) if n == na]
                                late = [lit for lit, n in self.acts.get((s, di, k2), []) if n == nb]
                                if early and late:
                                    m.Add(sum(early) + sum(late) <= 1)

        # rule 4: residencies
        self.residency_aux = []  # for hints: (kind, var, ...)
        for h in I.residencies:
            s, n = h.specialist, h.site
            omega = None
            if h.days is None and h.same and len(h.weeks) > 1:
                omega = [m.NewBoolVar(f"omega_{I.specialists[s].id}_{n}_{wd}") for wd in range(7)]
                self.residency_aux.append(("omega", h, omega))
            for w in h.weeks:
                week_days = list(range(7 * w, 7 * w + 7))
                H = [di for di in week_days if (s, di, n) in self.P]
                ps = [self.P[(s, di, n)] for di in H]
                m.Add(sum(ps) == h.days_per_week)
                for di in H:
                    for n2 in set(I.specialists[s].sites):
                        if n2 != n:
                            m.AddBoolOr([self.P[(s, di, n)].Not(), self.P[(s, di, n2)].Not()])
                if h.days is not None:
                    for di in H:
                        m.Add(self.P[(s, di, n)] == (1 if I.weekday[di] in h.days else 0))
                elif h.consecutive and h.days_per_week > 1:
                    open_w = [di for di in week_days if I.is_open[di]]
                    windows = []
                    for i in range(len(open_w) - h.days_per_week + 1):
                        run = open_w[i:i + h.days_per_week]
                        if all((s, di, n) in self.P for di in run):
                            windows.append(run)
                    vs = [m.NewBoolVar(f"v_{I.specialists[s].id}_{n}_{w}_{i}") for i in range(len(windows))]
                    self.residency_aux.append(("windows", h, w, windows, vs))
                    m.Add(sum(vs) == 1)
                    for di in H:
                        cover = [v for v, run in zip(vs, windows) if di in run]
                        m.Add(self.P[(s, di, n)] == sum(cover))
                if omega is not None:
                    for wd in range(7):
                        di = 7 * w + wd
                        if di in H:
                            m.Add(self.P[(s, di, n)] == omega[wd])
                        else:
                            m.Add(omega[wd] == 0)

        # ---- one thing at a time, idle, day cost (rule 1, §4) ------------------------
        self.Y = {}
        self.Idle = {}
        wday, widle = W["visiting_day_cost"], W["idle_visiting_session"]
        for s, sp in enumerate(I.specialists):
            if not sp.visiting:
                continue
            sites = list(dict.fromkeys(sp.sites))
            for di in sp.onsite_days:
                ps = [self.P[(s, di, n)] for n in sites]
                if len(ps) == 1:
                    y = ps[0]
                else:
                    y = m.NewBoolVar(f"y_{sp.id}_{di}")
                    for p in ps:
                        m.AddImplication(p, y)
                    m.AddBoolOr([y.Not()] + ps)
                self.Y[(s, di)] = y
                if wday * sp.day_cost != 0:
                    self.obj.append((wday * sp.day_cost, y))
                for k in range(I.K):
                    if (di, k) not in sp.work:
                        continue
                    idle = m.NewBoolVar(f"idle_{sp.id}_{di}_{k}")
                    self.Idle[(s, di, k)] = idle
                    m.AddImplication(idle, y)
                    acts = [lit for lit, _ in self.acts.get((s, di, k), [])]
                    m.AddBoolOr([y.Not(), idle] + acts)
                    m.AddAtMostOne(acts + [idle])
                    if widle != 0:
                        self.obj.append((widle, idle))
        for (s, di, k), acts in self.acts.items():
            if (s, di, k) in self.Idle:
                continue
            if len(acts) > 1:
                m.AddAtMostOne([lit for lit, _ in acts])

        # ---- load (rule 3) ----------------------------------------------------------
        for s, sp in enumerate(I.specialists):
            if sp.max_day is not None:
                for di in sp.onsite_days:
                    lits = [lit for k in range(I.K) for lit, _ in self.acts.get((s, di, k), [])]
                    if len(lits) > int(sp.max_day):
                        m.Add(sum(lits) <= int(sp.max_day))
            if sp.max_week is not None:
                for w in range(I.weeks):
                    lits = [
                        lit for di in range(7 * w, 7 * w + 7) for k in range(I.K)
                        for lit, _ in self.acts.get((s, di, k), [])
                    ]
                    if len(lits) > int(sp.max_week):
                        m.Add(sum(lits) <= int(sp.max_week))

        # ---- objective (§4) ---------------------------------------------------------
        # avoided slots
        wav = W["avoided_slot"]
        if wav != 0:
            for (s, di, k), acts in self.acts.items():
                if (I.weekday[di], k) in I.specialists[s].avoid:
                    for lit, _ in acts:
                        self.obj.append((wav, lit))
        # requests: unserved constant minus booked; substitute; waiting days
        for ri_, r in enumerate(I.requests):
            pen = W["unserved_request"] * r.priority
            self.constant += pen
            for bv, s, di in self.request_vars.get(ri_, []):
                coef = -pen + W["wait_day"] * r.priority * max(0, di - r.earliest)
                if r.named is not None and s is None:
                    coef += W["substitute"]
                if coef != 0:
                    self.obj.append((coef, bv))
        # surgeries: unscheduled constant minus done; late days
        for gi, g in enumerate(I.surgeries):
            pen = W["unscheduled_surgery"] * g.priority
            self.constant += pen
            for u, di in self.surgery_vars.get(gi, []):
                coef = -pen + W["surgery_late_day"] * g.priority * max(0, di - g.due)
                if coef != 0:
                    self.obj.append((coef, u))
        # weekly shortfalls
        self.short = []  # (term, kind, index, week, var or None, demanded, held literals)
        meetings_by = defaultdict(list)
        for (bi, di, k), ms in self.meeting_slots.items():
            meetings_by[(bi, I.week_of(di))].extend(ms)
        studios_by = defaultdict(list)
        for (si, di, k), zs in self.studio_slots.items():
            studios_by[(si, I.week_of(di))].extend(zs)
        # clinic-like sessions by (site, discipline, week, room class)
        sessions_by = defaultdict(list)
        for (s, di, k, c, delta), x in self.X.items():
            sessions_by[(self.classes[c].site, delta, I.week_of(di), c)].append(x)
        for (si, di, k, c), z in self.Z.items():
            st = I.studios[si]
            sessions_by[(st.site, st.discipline, I.week_of(di), c)].append(z)
        for bi, b in enumerate(I.boards):
            for w in range(I.weeks):
                if b.per_week > 0:
                    self._shortfall("missing_mdt_meeting", "mdt", bi, w, meetings_by[(bi, w)], b.per_week)
        for si, st in enumerate(I.studios):
            for w in range(I.weeks):
                if st.per_week > 0:
                    self._shortfall("missing_studio_session", "studio", si, w, studios_by[(si, w)], st.per_week)
        for ei, e in enumerate(I.demands):
            classes = [c for c, cl in enumerate(self.classes) if cl.kind == "clinic" and cl.site == e.site and e.tags <= cl.tags]
            for w in range(I.weeks):
                if e.per_week > 0:
                    held = [lit for c in classes for lit in sessions_by.get((e.site, e.discipline, w, c), [])]
                    self._shortfall("unmet_clinic_session", "clinic", ei, w, held, e.per_week)

        # scale to integers
        coefs = [c for c, _ in self.obj] + [self.constant]
        self.scale = None
        for p in range(0, 10):
            f = 10 ** p
            if all(abs(c * f - round(c * f)) <= 1e-6 for c in coefs):
                self.scale = f
                break
        if self.scale is None:
            self.scale = 10 ** 6
            log("warning: objective coefficients are not decimal with <= 9 digits; rounding at 1e-6")
        terms = defaultdict(int)
        for c, v in self.obj:
            ic = int(round(c * self.scale))
            if ic != 0:
                terms[v] += ic
        self.int_constant = int(round(self.constant * self.scale))
        items = [(ic, v) for v, ic in terms.items() if ic != 0]
        expr = cp_model.LinearExpr.WeightedSum([v for _, v in items], [ic for ic, _ in items]) if items else 0
        m.Minimize(expr + self.int_constant)

    def _shortfall(self, term, kind, index, week, held, demanded):
        m = self.m
        if len(held) == 0:
            self.constant += self.inst.weights[term] * demanded
            self.short.append((term, kind, index, week, None, demanded, held))
            return
        short = m.NewIntVar(0, demanded, f"short_{kind}_{index}_{week}")
        m.Add(short + sum(held) >= demanded)
        self.short.append((term, kind, index, week, short, demanded, held))
        self.obj.append((self.inst.weights[term], short))

    # ---------------------------------------------------------------------------------
    def stats(self) -> str:
        p = self.m.Proto()
        fam = {"clinic": self.X, "studio": self.Z, "apprentice": self.A, "meeting": self.M, "seat": self.Q,
               "theatre": self.T, "surgeon": self.U, "operating": self.O, "booking": self.B, "group booking": self.G, "presence": self.P, "idle": self.Idle}
        detail = ", ".join(f"{k} {len(v)}" for k, v in fam.items() if v)
        return f"{len(p.variables)} variables ({detail}), {len(p.constraints)} constraints"

    # ---------------------------------------------------------------------------------
    def activity_vars(self):
        for table in (self.X, self.Z, self.A, self.M, self.Q, self.T, self.U, self.O, self.B, self.G):
            yield from table.values()

    def solve_empty(self, seconds: float):
        """The fallback when the search ends without a solution: the cheapest roster with
        no activity at all (only the presence residencies force), from a CP-SAT solve of
        a copy of the model with every activity fixed to 0. Returns the solver (its values
        are indexed like this model's) or None."""
        empty = self.m.clone()
        for var in self.activity_vars():
            empty.add(empty.get_bool_var_from_proto_index(var.Index()) == 0)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.num_workers = 1
        status = solver.Solve(empty)
        return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    def add_hint(self, roster: dict) -> int:
        """Hint every variable from a houniao roster (0 for what it does not use)."""
        I = self.inst
        val = {}

        def setv(var, value):
            val[var.Index()] = (var, value)

        def day(text):
            return I.day_offset(text)

        on = set()
        held_as = {}  # (s, di, k) -> (site, discipline as modelled) of their bookable session
        for p in roster.get("presence", []):
            on.add(("p", I.spec_ix[p["specialist"]], day(p["date"]), I.site_ix[p["site"]]))
        for a in roster.get("assignments", []):
            s = I.spec_ix[a["specialist"]]
            di, k = day(a["date"]), I.session_ix[a["session"]]
            act = a["activity"]
            site = I.site_ix[a["site"]] if a.get("site") is not None else None
            if site is not None and s in self.tracked:
                on.add(("p", s, di, site))
            if act == "clinic":
                c = self.room_class.get(I.room_ix.get(a.get("room"), -1))
                disc = a.get("discipline")
                opts = self.clinic_disc.get((s, c), [])
                if disc not in opts and opts:
                    disc = opts[0]
                on.add(("x", s, di, k, c, disc))
                held_as[(s, di, k)] = (site, disc)
            elif act == "studio":
                si = I.studio_ix[a["studio"]]
                if a.get("role") == "lead":
                    c = self.room_class.get(I.room_ix.get(a.get("room"), -1))
                    on.add(("z", si, di, k, c))
                    held_as[(s, di, k)] = (I.studios[si].site, I.studios[si].discipline)
                else:
                    on.add(("a", si, di, k, s))
            elif act == "mdt":
                bi = I.board_ix[a["board"]]
                if a.get("room") is not None:
                    on.add(("m", bi, di, k, self.room_class.get(I.room_ix[a["room"]])))
                on.add(("q", bi, di, k, a.get("discipline"), s, bool(a.get("remote", False))))
            elif act == "surgery":
                on.add(("o", s, di, k, site))
        for g in roster.get("surgeries", []):
            gi = I.surgery_ix[g["surgery"]]
            di, k, ri = day(g["date"]), I.session_ix[g["session"]], I.room_ix[g["room"]]
            on.add(("t", gi, di, k, ri))
            on.add(("u", gi, di, k, I.spec_ix[g["surgeon"]], I.rooms[ri].site))
        for b in roster.get("bookings", []):
            ri_ = I.request_ix[b["request"]]
            s, di, k = I.spec_ix[b["specialist"]], day(b["date"]), I.session_ix[b["session"]]
            if (s, di, k) not in held_as:
                continue
            g = (di, k) + held_as[(s, di, k)]
            if I.requests[ri_].named == s:
                on.add(("b", ri_, s, g))
            else:
                on.add(("g", ri_, g))

        missing = 0
        for tag, table in (("p", self.P), ("x", self.X), ("z", self.Z), ("a", self.A), ("m", self.M),
                           ("q", self.Q), ("t", self.T), ("u", self.U), ("o", self.O), ("b", self.B), ("g", self.G)):
            for key, var in table.items():
                setv(var, 1 if (tag,) + tuple(key) in on else 0)
            keys = {(tag,) + tuple(key) for key in table}
            missing += sum(1 for item in on if item[0] == tag and item not in keys)
        # meetings whose entries name no room: take any class with a variable
        for item in on:
            if item[0] == "q":
                _, bi, di, k, *_rest = item
                ms = self.meeting_slots.get((bi, di, k), [])
                if ms and not any(val[var.Index()][1] for var in ms):
                    setv(ms[0], 1)
        pv = {key: val[var.Index()][1] for key, var in self.P.items()}
        for (s, di), y in self.Y.items():
            setv(y, max(pv.get((s, di, n), 0) for n in set(I.specialists[s].sites)))
        for (s, di, k), idle in self.Idle.items():
            busy = any(val.get(lit.Index(), (None, 0))[1] for lit, _ in self.acts.get((s, di, k), []))
            setv(idle, 1 if val[self.Y[(s, di)].Index()][1] and not busy else 0)
        for item in self.residency_aux:
            if item[0] == "omega":
                _, h, omega = item
                w0 = h.weeks[0]
                for wd in range(7):
                    setv(omega[wd], pv.get((h.specialist, 7 * w0 + wd, h.site), 0))
            else:
                _, h, w, windows, vs = item
                chosen = {di for di in range(7 * w, 7 * w + 7) if pv.get((h.specialist, di, h.site), 0)}
                for v, run in zip(vs, windows):
                    setv(v, 1 if set(run) == chosen else 0)
        for term, kind, index, week, var, demanded, held in self.short:
            if var is not None:
                setv(var, max(0, demanded - sum(val[x.Index()][1] for x in held)))
        for var, value in val.values():
            self.m.AddHint(var, value)
        return missing


# --------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------


def extract(model: Model, solver: cp_model.CpSolver) -> dict:
    I = model.inst
    on = lambda var: solver.BooleanValue(var)  # noqa: E731
    presence = []
    for (s, di, n), p in model.P.items():
        if I.specialists[s].visiting and on(p):
            presence.append({"specialist": I.specialists[s].id, "date": I.date_str(di), "site": I.sites[n].id})

    # concrete rooms: per (class, slot) zip the users with the available rooms
    room_of = {}
    for (c, di, k), users in model.room_users.items():
        lits = model.room_use[(c, di, k)]
        rooms = model.avail_rooms(c, di, k)
        used = [u for u, lit in zip(users, lits) if on(lit)]
        assert len(used) <= len(rooms)
        for u, ri in zip(used, rooms):
            room_of[u] = ri

    assignments = []
    sid = lambda s: I.specialists[s].id  # noqa: E731

    def base(s, di, k, activity):
        return {"specialist": sid(s), "date": I.date_str(di), "session": I.sessions[k].id, "activity": activity}

    apprentices_of = defaultdict(list)
    for (si, di, k, ap), av in model.A.items():
        apprentices_of[(si, di, k)].append((ap, av))
    seats_of = defaultdict(list)
    for (bi, di, k, j, s, remote), q in model.Q.items():
        seats_of[(bi, di, k)].append(((j, s, remote), q))
    for (s, di, k, c, delta), x in model.X.items():
        if on(x):
            a = base(s, di, k, "clinic")
            a.update(site=I.sites[model.classes[c].site].id, room=I.rooms[room_of[("clinic", (s, di, k, c, delta))]].id, discipline=delta)
            assignments.append(a)
    for (si, di, k, c), z in model.Z.items():
        if on(z):
            st = I.studios[si]
            room = I.rooms[room_of[("studio", (si, di, k, c))]].id
            a = base(st.lead, di, k, "studio")
            a.update(site=I.sites[st.site].id, room=room, studio=st.id, role="lead", discipline=st.discipline)
            assignments.append(a)
            for ap, av in apprentices_of.get((si, di, k), []):
                if on(av):
                    a = base(ap, di, k, "studio")
                    a.update(site=I.sites[st.site].id, room=room, studio=st.id, role="apprentice")
                    assignments.append(a)
    for (bi, di, k, c), mv in model.M.items():
        if on(mv):
            b = I.boards[bi]
            room = I.rooms[room_of[("mdt", (bi, di, k, c))]].id
            for (j, s, remote), q in seats_of.get((bi, di, k), []):
                if on(q):
                    a = base(s, di, k, "mdt")
                    if not remote:
                        a["site"] = I.sites[b.site].id
                    a.update(room=room, board=b.id, discipline=j, remote=remote)
                    assignments.append(a)
    for (s, di, k, n), o in model.O.items():
        if on(o):
            a = base(s, di, k, "surgery")
            a["site"] = I.sites[n].id
            assignments.append(a)
    assignments.sort(key=lambda a: (a["date"], I.session_ix[a["session"]], a["specialist"]))

    surgeries = []
    cursor = {}
    surgeon_of = {}
    for (gi, di, k, s, n), u in model.U.items():
        if on(u):
            surgeon_of[(gi, di, k, n)] = s
    done = [(key + (surgeon_of[key[:3] + (I.rooms[key[3]].site,)],), t) for key, t in model.T.items() if on(t)]
    done.sort(key=lambda item: (item[0][1], item[0][2], item[0][3], -I.surgeries[item[0][0]].priority, item[0][0]))
    for (gi, di, k, ri, s), _t in done:
        g = I.surgeries[gi]
        sess = I.sessions[k]
        start = cursor.get((ri, di, k), sess.start)
        if start + g.minutes > sess.end:
            start = sess.start  # capacity is in minutes; overlaps are not judged
        cursor[(ri, di, k)] = start + g.minutes
        surgeries.append({"surgery": g.id, "date": I.date_str(di), "session": sess.id, "room": I.rooms[ri].id,
                          "surgeon": sid(s), "start": fmt_minutes(start)})

    bookings = []
    remaining = {}  # (s, g) -> places left in s's held session of group g
    for g, members in model.groups.items():
        for s, lits in members.items():
            if any(on(lit) for lit in lits):
                remaining[(s, g)] = I.specialists[s].capacity

    def book(ri_, s, g):
        r = I.requests[ri_]
        di, k, n, _delta = g
        remaining[(s, g)] -= 1
        assert remaining[(s, g)] >= 0
        bookings.append({"request": r.id, "specialist": sid(s), "date": I.date_str(di), "session": I.sessions[k].id,
                         "site": I.sites[n].id, "substitute": r.named is not None and r.named != s})

    for (ri_, s, g), bv in model.B.items():
        if on(bv):
            book(ri_, s, g)
    grouped = [(ri_, g) for (ri_, g), gv in model.G.items() if on(gv)]
    grouped.sort(key=lambda item: (I.requests[item[0]].named is None, item[0]))
    for ri_, g in grouped:
        named = I.requests[ri_].named
        holders = [s for s in model.groups[g] if remaining.get((s, g), 0) > 0]
        pick = next((s for s in holders if s != named), None)
        if pick is None:
            pick = holders[0]  # only the named specialist has room: the roster is cheaper than the model says
        book(ri_, pick, g)
    bookings.sort(key=lambda b: b["request"])
    return {"presence": sorted(presence, key=lambda p: (p["specialist"], p["date"], p["site"])),
            "assignments": assignments, "surgeries": surgeries, "bookings": bookings}


def score(I: Instance, roster: dict):
    """§4 recomputed from the roster alone (mirrors `houniao check`), plus shortfalls."""
    W = I.weights
    terms = {t: 0.0 for t in TERMS}
    served = {}
    for b in roster["bookings"]:
        if b["request"] in served:
            continue
        served[b["request"]] = b
        r = I.requests[I.request_ix[b["request"]]]
        s = I.spec_ix[b["specialist"]]
        if r.named is not None and r.named != s:
            terms["substitute"] += W["substitute"]
        terms["wait_day"] += W["wait_day"] * r.priority * max(0, I.day_offset(b["date"]) - r.earliest)
    unserved = [r for r in I.requests if r.id not in served]
    for r in unserved:
        terms["unserved_request"] += W["unserved_request"] * r.priority
    done = {}
    for g in roster["surgeries"]:
        if g["surgery"] in done:
            continue
        done[g["surgery"]] = g
        sg = I.surgeries[I.surgery_ix[g["surgery"]]]
        terms["surgery_late_day"] += W["surgery_late_day"] * sg.priority * max(0, I.day_offset(g["date"]) - sg.due)
    unscheduled = [g for g in I.surgeries if g.id not in done]
    for g in unscheduled:
        terms["unscheduled_surgery"] += W["unscheduled_surgery"] * g.priority
    meetings, studios, held = set(), set(), []
    for a in roster["assignments"]:
        slot = (I.day_offset(a["date"]), I.session_ix[a["session"]])
        if a["activity"] == "mdt":
            meetings.add((a["board"], slot))
        elif a["activity"] == "studio":
            studios.add((a["studio"], slot))
            if a.get("role") == "lead":
                st = I.studios[I.studio_ix[a["studio"]]]
                held.append((slot, I.site_ix[a["site"]], I.room_ix[a["room"]], st.discipline))
        elif a["activity"] == "clinic":
            held.append((slot, I.site_ix[a["site"]], I.room_ix[a["room"]], a["discipline"]))
    missing_mdt, missing_studio, missing_clinic = {}, {}, defaultdict(int)
    for b in I.boards:
        for w in range(I.weeks):
            short = max(0, b.per_week - sum(1 for (bid, slot) in meetings if bid == b.id and slot[0] // 7 == w))
            if short:
                terms["missing_mdt_meeting"] += W["missing_mdt_meeting"] * short
                missing_mdt[(b.id, w)] = short
    for st in I.studios:
        for w in range(I.weeks):
            short = max(0, st.per_week - sum(1 for (sid_, slot) in studios if sid_ == st.id and slot[0] // 7 == w))
            if short:
                terms["missing_studio_session"] += W["missing_studio_session"] * short
                missing_studio[(st.id, w)] = short
    for e in I.demands:
        for w in range(I.weeks):
            count = sum(1 for (slot, site, room, disc) in held
                        if site == e.site and disc == e.discipline and slot[0] // 7 == w and e.tags <= I.rooms[room].tags)
            short = max(0, e.per_week - count)
            if short:
                terms["unmet_clinic_session"] += W["unmet_clinic_session"] * short
                missing_clinic[(I.sites[e.site].id, e.discipline, w)] += short
    on_site = set()
    for p in roster["presence"]:
        on_site.add((I.spec_ix[p["specialist"]], I.day_offset(p["date"])))
    busy = set()
    for a in roster["assignments"]:
        s = I.spec_ix[a["specialist"]]
        slot = (I.day_offset(a["date"]), I.session_ix[a["session"]])
        busy.add((s, slot))
        if not (a["activity"] == "mdt" and a.get("remote") is True) and I.specialists[s].visiting:
            on_site.add((s, slot[0]))
    for s, di in sorted(on_site):
        sp = I.specialists[s]
        if not sp.visiting:
            continue
        terms["visiting_day_cost"] += W["visiting_day_cost"] * sp.day_cost
        for k in range(I.K):
            if (di, k) in sp.work and (s, (di, k)) not in busy:
                terms["idle_visiting_session"] += W["idle_visiting_session"]
    for s, (di, k) in busy:
        if (I.weekday[di], k) in I.specialists[s].avoid:
            terms["avoided_slot"] += W["avoided_slot"]
    return terms, unserved, unscheduled, missing_mdt, missing_studio, missing_clinic


# --------------------------------------------------------------------------------------
# Reasons for unmet demand
# --------------------------------------------------------------------------------------


def window_label(I: Instance, a: int, b: int) -> str:
    def lab(di):
        d = I.start + dt.timedelta(days=di)
        return f"{d.strftime('%b')} {d.day}"
    return f"{lab(a)} … {lab(b)}"


def reasons(I: Instance, model: Model, roster: dict, unserved, unscheduled, missing_mdt, missing_studio, missing_clinic):
    busy = defaultdict(list)
    sessions_of = defaultdict(list)
    for a in roster["assignments"]:
        s = I.spec_ix[a["specialist"]]
        slot = (I.day_offset(a["date"]), I.session_ix[a["session"]])
        busy[(s, slot)].append(a["activity"])
        if a["activity"] == "clinic" or (a["activity"] == "studio" and a.get("role") == "lead"):
            disc = a.get("discipline")
            if a["activity"] == "studio":
                disc = I.studios[I.studio_ix[a["studio"]]].discipline
            sessions_of[s].append((slot, I.site_ix[a["site"]], disc))
    booked = defaultdict(int)
    for b in roster["bookings"]:
        booked[(I.spec_ix[b["specialist"]], I.day_offset(b["date"]), I.session_ix[b["session"]])] += 1
    on_days = defaultdict(set)
    for p in roster["presence"]:
        on_days[I.spec_ix[p["specialist"]]].add(I.day_offset(p["date"]))
    out = []
    for r in unserved:
        lo, hi = max(r.earliest, 0), min(r.latest, I.ndays - 1)
        open_days = [di for di in range(lo, hi + 1) if I.is_open[di]]
        win = window_label(I, r.earliest, r.latest)
        parts = []
        if not open_days:
            parts.append(f"the window {win} has no open date in the horizon")
        else:
            cands = []
            if r.named is not None:
                cands.append(r.named)
            if r.named is None or r.substitute_ok:
                cands += [s for s, sp in enumerate(I.specialists) if r.discipline in sp.disciplines and s != r.named]
            for s in cands[:1] if r.named is not None else []:
                sp = I.specialists[s]
                days = [di for di in open_days if any((di, k) in sp.work for k in range(I.K))]
                if not days:
                    parts.append(f"{sp.name} is not available on any open date of the window {win}")
                elif r.sites is not None and not (set(sp.sites) & r.sites):
                    parts.append(f"{sp.name} works at none of the allowed sites")
                elif sp.capacity == 0:
                    parts.append(f"{sp.name} takes no bookings (clinic_capacity 0)")
                else:
                    held = [x for x in sessions_of[s] if lo <= x[0][0] <= hi and (r.sites is None or x[1] in r.sites)]
                    if held:
                        parts.append(f"{sp.name}'s {len(held)} session(s) in the window {win} at an allowed site are full (capacity {sp.capacity})")
                    else:
                        on = sorted(d for d in on_days.get(s, ()) if lo <= d <= hi)
                        where = f" (on site {', '.join(I.day_label(d) for d in on)})" if on else ""
                        parts.append(f"{sp.name} holds no clinic in the window {win} at an allowed site{where}")
            if r.named is not None and not r.substitute_ok:
                parts.append("the patient accepts no substitute")
            else:
                subs = [s for s in cands if s != r.named]
                free = 0
                for s in subs:
                    for (slot, site, disc) in sessions_of[s]:
                        if lo <= slot[0] <= hi and disc == r.discipline and (r.sites is None or site in r.sites) \
                                and booked[(s, slot[0], slot[1])] < I.specialists[s].capacity:
                            free += 1
                if not subs:
                    parts.append(f"nobody else holds {r.discipline}")
                elif free == 0:
                    parts.append(f"no {r.discipline} session with a free place at an allowed site in the window {win}; "
                                 f"opening one costs more than the unserved penalty in this roster")
        out.append({"kind": "request", "ids": [r.id], "reason": "; ".join(parts) or "not booked in this roster"})
    for g in unscheduled:
        gi = I.surgeries.index(g)
        if g.release >= I.ndays:
            why = "released after the horizon"
        elif not model.surgery_vars.get(gi):
            why = ("no slot from the release date with a qualified surgeon available at a fitting theatre "
                   f"(grade {g.grade}, {g.minutes} min, tags [{', '.join(sorted(g.tags))}])")
        else:
            who = I.specialists[g.surgeon].name if g.surgeon is not None else f"every qualified {g.discipline} surgeon"
            why = (f"every fitting theatre slot from {window_label(I, g.release, g.release).split(' …')[0]} is used or "
                   f"{who} is busy or off site then; doing it costs more than leaving it in this roster")
        out.append({"kind": "surgery", "ids": [g.id], "reason": why})
    for (bid, w), short in sorted(missing_mdt.items()):
        b = I.boards[I.board_ix[bid]]
        bi = I.boards.index(b)
        slots = sum(1 for (bb, di, k) in model.meeting_slots if bb == bi and di // 7 == w)
        out.append({"kind": "mdt_meeting", "ids": [bid], "week": w, "missing": short,
                    "reason": f"{short} of {b.per_week} meeting(s) missing in week {w}: only {slots} slot(s) have a free "
                              f"meeting room and someone for every required discipline ({', '.join(b.required)}), "
                              f"and no further meeting fits beside the other duties"})
    for (sid_, w), short in sorted(missing_studio.items()):
        st = I.studios[I.studio_ix[sid_]]
        out.append({"kind": "studio_session", "ids": [sid_], "week": w, "missing": short,
                    "reason": f"{short} of {st.per_week} session(s) missing in week {w}: {I.specialists[st.lead].name} "
                              f"and at least {st.min_apprentices} apprentice(s) are not free together at "
                              f"{I.sites[st.site].name} with a fitting clinic room often enough"})
    for (site, disc, w), short in sorted(missing_clinic.items()):
        out.append({"kind": "clinic_session", "ids": [site, disc], "week": w, "missing": short,
                    "reason": f"{short} {disc} clinic session(s) at {site} missing in week {w}: no free {disc} "
                              f"specialist with a fitting free clinic room, or holding more costs more than the shortfall"})
    return out


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance")
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("-o", "--output")
    ap.add_argument("--log", action="store_true", help="print CP-SAT's search log")
    ap.add_argument("--hint", help="a roster (e.g. houniao's) to pass as a solution hint")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="extra CP-SAT parameter, e.g. --param interleave_search=true (repeatable)")
    ap.add_argument("--build-only", action="store_true", help="build the model, print its size and stop")
    ap.add_argument("--linearization", type=int, default=2, choices=[0, 1, 2],
                    help="CP-SAT linearization_level (2: every constraint in the LP; default 2)")
    args = ap.parse_args(argv)
    if not args.output and not args.build_only:
        ap.error("-o ROSTER.json is required")

    t0 = time.monotonic()
    inst = load_instance(args.instance)
    model = Model(inst)
    log(f"{inst.name}: model {model.stats()}, objective scale {model.scale}, built in {time.monotonic() - t0:.2f}s")
    if args.build_only:
        return 0
    if args.hint:
        with open(args.hint) as fh:
            missing = model.add_hint(json.load(fh))
        log(f"hint from {args.hint}" + (f" ({missing} roster entries have no variable)" if missing else ""))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, args.time_limit - (time.monotonic() - t0))
    solver.parameters.num_workers = args.workers
    solver.parameters.random_seed = args.seed
    solver.parameters.linearization_level = args.linearization
    solver.parameters.log_search_progress = args.log
    for item in args.param:
        name, _, text = item.partition("=")
        value = {"true": True, "false": False}.get(text.lower(), text)
        if isinstance(value, str):
            for kind in (int, float):
                try:
                    value = kind(text)
                    break
                except ValueError:
                    pass
        setattr(solver.parameters, name, value)
    if args.log:
        solver.parameters.log_to_stdout = False
        solver.log_callback = lambda line: print(line, file=sys.stderr)
    status = solver.Solve(model.m)
    status_name = solver.StatusName(status)
    log(f"CP-SAT {status_name} in {time.monotonic() - t0:.2f}s")
    found = solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    fallback = False
    if found is None and status == cp_model.UNKNOWN:
        found = model.solve_empty(min(10.0, max(2.0, 0.25 * args.time_limit)))  # past the limit
        fallback = found is not None
        if fallback:
            log("no solution in time: falling back to the roster with no activity (residency presence only)")
    seconds = time.monotonic() - t0

    roster = {"instance": inst.name}
    if found is not None:
        body = extract(model, found)
        terms, unserved, unscheduled, mm, ms, mc = score(inst, body)
        objective = sum(terms[t] for t in TERMS)
        cp_obj = found.ObjectiveValue() / model.scale
        if abs(cp_obj - objective) > 1e-6 * max(1.0, abs(objective)):
            log(f"warning: CP-SAT objective {cp_obj} differs from the roster's recomputed {objective}")
        raw_bound = solver.BestObjectiveBound()
        bound_scaled = math.ceil(raw_bound - 1e-6) if math.isfinite(raw_bound) else 0
        bound = max(0.0, bound_scaled / model.scale)  # every §4 term is >= 0
        if status == cp_model.OPTIMAL:
            bound = objective
        if bound > objective:
            log(f"warning: bound {bound} above the objective {objective}; clamped")
            bound = objective
        gap = (objective - bound) / max(1.0, abs(objective))
        roster.update(
            status="optimal" if status == cp_model.OPTIMAL else "feasible",
            objective=round(objective, 9),
            bound=round(bound, 9),
            gap=gap,
            seconds=round(seconds, 3),
        )
        roster.update(body)
        roster["unmet"] = reasons(inst, model, body, unserved, unscheduled, mm, ms, mc)
        roster["objective_terms"] = {t: round(terms[t], 9) for t in TERMS}
        roster["solver"] = {"name": "ortools-cp-sat", "workers": args.workers, "cp_sat_status": status_name,
                            "fallback_empty_roster": fallback}
        code = 0
    else:
        roster.update(status="infeasible" if status == cp_model.INFEASIBLE else "error", objective=0.0,
                      seconds=round(seconds, 3), presence=[], assignments=[], surgeries=[], bookings=[], unmet=[],
                      objective_terms={t: 0.0 for t in TERMS})
        roster["solver"] = {"name": "ortools-cp-sat", "workers": args.workers, "cp_sat_status": status_name}
        code = 1
    with open(args.output, "w") as fh:
        json.dump(roster, fh, indent=1)
        fh.write("\n")
    if code == 0:
        log(f"objective {roster['objective']} bound {roster['bound']} gap {roster['gap']:.4g} -> {args.output}")
    return code


if __name__ == "__main__":
    sys.exit(main())
