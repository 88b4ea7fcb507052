//! What the browser tests do on the roster board: find chips and cells as a person
//! would look for them (by what the page shows), drag a chip with the pointer, and
//! ask the server's preview which moves are legal before making one by hand.

use std::time::Duration;

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use serde_json::Value;

use crate::driver::Browser;

/// Marks (`data-test-pick`) a clinic chip and a cell in a slot where its specialist
/// is already busy with something else, on the board as shown; answers
/// `{specialist, to_date, to_session}` or null.
pub const MARK_BUSY: &str = r#"
document.querySelectorAll('[data-test-pick]').forEach(e => e.removeAttribute('data-test-pick'));
let best = null;
for (const chip of document.querySelectorAll('.chip.clinic[draggable=true]')) {
  const own = Number(chip.closest('td.cell').dataset.slot);
  const free = new Set((chip.dataset.slots || '').split(' ').filter(Boolean));
  const rows = (chip.dataset.rows || '').split(' ').filter(Boolean);
  for (const other of document.querySelectorAll('.chip[data-specialist="' + chip.dataset.specialist + '"]')) {
    const cell = other.closest('td.cell');
    if (other === chip || !cell || free.has(cell.dataset.slot)) continue;
    for (const row of rows) {
      const target = document.getElementById('cell-' + cell.dataset.slot + '-' + row);
      if (!target) continue;
      // The nearest pair, so that the chip and the cell fit in the window together.
      const distance = Math.abs(Number(cell.dataset.slot) - own);
      if (best === null || distance < best.distance) best = { chip, target, cell, other, distance };
    }
  }
}
if (best === null) return null;
best.chip.setAttribute('data-test-pick', 'chip');
best.target.setAttribute('data-test-pick', 'cell');
return { specialist: best.chip.dataset.specialist, to_date: best.cell.dataset.date,
         to_session: best.cell.dataset.session, busy_with: best.other.dataset.activity };
"#;

/// Asks the board's own preview (nothing is stored) about every move of a clinic
/// chip onto a cell it may be dropped on, in page order, and marks the first one the
/// library finds legal; answers how many it tried and what it marked.
pub const MARK_LEGAL: &str = r#"
const done = arguments[arguments.length - 1];
const board = document.getElementById('board');
const csrf = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
document.querySelectorAll('[data-test-pick]').forEach(e => e.removeAttribute('data-test-pick'));
(async () => {
  let tried = 0;
  for (const chip of document.querySelectorAll('.chip.clinic[draggable=true]')) {
    const own = Number(chip.closest('td.cell').dataset.slot);
    // Nearest slots first, so that the chip and the cell fit in the window together.
    const slots = (chip.dataset.slots || '').split(' ').filter(Boolean)
      .sort((a, b) => Math.abs(a - own) - Math.abs(b - own));
    const rows = (chip.dataset.rows || '').split(' ').filter(Boolean);
    for (const slot of slots) for (const row of rows) {
      const cell = document.getElementById('cell-' + slot + '-' + row);
      if (!cell || cell.contains(chip) || tried >= 400) continue;
      tried += 1;
      const fields = new URLSearchParams({ op: 'move', specialist: chip.dataset.specialist,
        date: chip.dataset.date, session: chip.dataset.session, activity: chip.dataset.activity,
        to_date: cell.dataset.date, to_session: cell.dataset.session, back: board.dataset.back || '' });
      if (cell.dataset.room) fields.set('to_room', cell.dataset.room);
      const answer = await fetch('/app/rosters/' + board.dataset.roster + '/edits/preview', {
        method: 'POST', credentials: 'same-origin', body: fields.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf, 'HX-Request': 'true' } });
      const html = await answer.text();
      if (html.includes('data-valid="yes"')) {
        chip.setAttribute('data-test-pick', 'chip');
        cell.setAttribute('data-test-pick', 'cell');
        return done({ tried, specialist: chip.dataset.specialist, to_date: cell.dataset.date, to_session: cell.dataset.session });
      }
    }
  }
  done({ tried, specialist: null });
})();
"#;

/// Drags the marked chip with the mouse and holds it over the marked cell; answers
/// whether the board offered the cell as a drop target, then drops it there.
pub async fn drag_marked(browser: &Browser) -> bool {
    let chip = browser.find(".chip[data-test-pick=chip] .chip-name").await;
    let cell = browser.find("td[data-test-pick=cell]").await;
    browser
        .script(
            "document.querySelector('td[data-test-pick=cell]').scrollIntoView({block: 'center', inline: 'center'});\
             document.querySelector('.chip[data-test-pick=chip]').scrollIntoView({block: 'center', inline: 'nearest'});",
            vec![],
        )
        .await;
    let step = Some(Duration::from_millis(100));
    let press = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element: chip,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: step,
            x: 8.0,
            y: 8.0,
        })
        .then(PointerAction::MoveToElement {
            element: cell.clone(),
            duration: step,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::MoveToElement {
            element: cell,
            duration: step,
            x: 2.0,
            y: 2.0,
        });
    browser
        .client
        .perform_actions(press)
        .await
        .expect("drags the chip");
    let offered = browser
        .script(
            "return document.querySelector('td[data-test-pick=cell]').classList.contains('drop-ok')",
            vec![],
        )
        .await
        == Value::Bool(true);
    let release = MouseActions::new("mouse".to_string()).then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    browser
        .client
        .perform_actions(release)
        .await
        .expect("drops the chip");
    let _ = browser.client.release_actions().await;
    offered
}
