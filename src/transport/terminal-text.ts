/**
 * Text that came from elsewhere (a host's output, an SSH server's disconnect message), made safe to
 * show on a terminal. The lowest layer has it, so the transport's own errors use it too.
 */

/**
 * Every escape sequence a terminal acts on (ECMA-48): CSI (colour, cursor moves — OpenShell colours
 * tables even when piped; progress output moves the cursor), the control strings OSC, DCS, SOS, PM
 * and APC (window titles, clipboard writes, hyperlinks), and the other two-character escapes;
 * also in their 8-bit (C1) forms.
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b\[|\u009b)[0-?]*[ -/]*[@-~]|(?:\x1b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\x07\x1b\u009c]*(?:\x07|\x1b\\|\u009c)|\x1b[ -/]*[0-~]/g;
/** Control characters left over (a lone ESC, backspace, bell, C1): never passed on to a terminal. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const REPLACEMENT = "\ufffd";

/** Escape sequences removed; other control characters but tab, line feed and carriage return shown as U+FFFD. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, REPLACEMENT);
}

/** Control characters (tab and line breaks aside) shown as U+FFFD; for strings decoded from JSON. */
export function withoutControls(text: string): string {
  return text.replace(CONTROL, REPLACEMENT);
}
