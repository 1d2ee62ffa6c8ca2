// Starts the NHS.UK frontend components. Loaded as a module from our own static files (no CDN).
import { initAll } from "../../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
