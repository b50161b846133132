// The `singlet` bin, built to dist/singlet.cjs: runs the bundled command (launcher.ts).
import { bundlePath, launch } from "./launcher.js";

launch(bundlePath, process.argv.slice(2), process.env);
