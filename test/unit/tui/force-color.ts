// Colours on, as on a terminal: chalk decides once, when Ink first loads it, and the fake
// terminal of ink-testing-library is not a TTY. Imported before anything that loads Ink.
process.env.FORCE_COLOR = '1';
