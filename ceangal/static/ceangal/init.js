// Start the Scottish Government Design System's enhancements. Every page works without them; this
// file exists because the Content Security Policy forbids inline script.
import DS from "../vendor/sgds/design-system.js";

DS.initAll();
