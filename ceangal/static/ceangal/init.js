// Start the Scottish Government Design System's enhancements. Every page works without them; this
// file exists because the Content Security Policy forbids inline script.
import DS from "../vendor/sgds/design-system.js";

DS.initAll();

// After a refused form, take keyboard and screen reader users straight to the list of problems.
const errorSummary = document.querySelector(".ds_error-summary");
if (errorSummary) {
    errorSummary.setAttribute("tabindex", "-1");
    errorSummary.focus();
}
