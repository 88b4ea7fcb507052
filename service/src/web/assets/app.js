// houniao web app: behaviour htmx does not cover. No external resources.
"use strict";
