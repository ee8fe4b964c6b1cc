/**
 * Reads the key for `cogno login --token -`. From a pipe: the first line. From a terminal: the line
 * typed or pasted, without echoing it, so the key never lands on screen, in a screenshot or in the
 * terminal's scrollback.
 */
import type { Readable } from "node:stream";
import { EXIT_CODES } from "@cogno/protocol";
import { ExitError } from "../exit-error.ts";

const CONTROL_C = "\u0003";
const CONTROL_D = "\u0004";
const BACKSPACES = new Set(["\u007f", "\b"]);

/** Applies typed characters to `line`; returns the line and whether Enter or end of input was seen. */
export function applyTypedInput(
  line: string,
  input: string,
): { line: string; done: boolean; cancelled: boolean } {
  let current = line;
  for (const character of input) {
    if (character === "\r" || character === "\n" || character === CONTROL_D)
      return { line: current, done: true, cancelled: false };
    if (character === CONTROL_C) return { line: "", done: true, cancelled: true };
    if (BACKSPACES.has(character)) current = current.slice(0, -1);
    else if (character >= " ") current += character;
  }
  return { line: current, done: false, cancelled: false };
}

export function readFirstLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const finish = (): void => {
      stream.off("data", onData);
      stream.off("end", finish);
      stream.off("error", onError);
      stream.pause();
      resolve(buffered.split(/\r?\n/)[0] ?? "");
    };
    const onError = (error: Error): void => {
      stream.off("data", onData);
      stream.off("end", finish);
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString("utf8");
      if (buffered.includes("\n")) finish();
    };
    stream.on("data", onData);
    stream.once("end", finish);
    stream.once("error", onError);
  });
}

export function readHiddenLine(stream: NodeJS.ReadStream, onDone: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = "";
    const restore = (): void => {
      stream.off("data", onData);
      stream.setRawMode(false);
      stream.pause();
      onDone();
    };
    const onData = (chunk: Buffer): void => {
      const state = applyTypedInput(line, chunk.toString("utf8"));
      line = state.line;
      if (!state.done) return;
      restore();
      if (state.cancelled) reject(new ExitError(EXIT_CODES.failure, "Login cancelled; nothing was changed."));
      else resolve(line);
    };
    stream.setRawMode(true);
    stream.resume();
    stream.on("data", onData);
  });
}
