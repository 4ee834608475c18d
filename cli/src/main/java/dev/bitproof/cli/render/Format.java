package dev.bitproof.cli.render;

/** Output format of every command: text for people, JSON (on stdout) for scripts. */
public enum Format {
  text, json
}
