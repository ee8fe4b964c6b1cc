import { describe, expect, it } from "vitest";
import { databaseFaultOf, describeDatabaseError } from "./faults.ts";

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("databaseFaultOf", () => {
  it.each([
    ["PostgreSQL shut down", withCode("terminating connection due to administrator command", "57P01")],
    ["PostgreSQL starting", withCode("the database system is starting up", "57P03")],
    ["a connection exception", withCode("connection failure", "08006")],
    ["too many connections", withCode("sorry, too many clients already", "53300")],
    ["the statement timeout", withCode("canceling statement due to statement timeout", "57014")],
    [
      "a database refusing connections",
      withCode('database "x" is not currently accepting connections', "55000"),
    ],
    ["a refused TCP connection", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["a connection lost mid-query", new Error("Connection terminated unexpectedly")],
    ["the pool's connection timeout", new Error("timeout exceeded when trying to connect")],
    ["the client's query timeout", new Error("Query read timeout")],
    [
      "a client that lost its connection",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    [
      "a refused connection to each address",
      new AggregateError([withCode("connect ECONNREFUSED ::1:5432", "ECONNREFUSED")]),
    ],
  ])("%s: the database cannot be reached", (_name, error) => {
    expect(databaseFaultOf(error)).toBe("unreachable");
  });

  it.each([
    ["SQLite's full disk", withCode("database or disk is full", "SQLITE_FULL")],
    ["SQLite's failed write", withCode("disk I/O error", "SQLITE_IOERR_WRITE")],
    ["SQLite's read-only file", withCode("attempt to write a readonly database", "SQLITE_READONLY")],
    ["PostgreSQL's full disk", withCode("could not extend file", "53100")],
  ])("%s: the database cannot write", (_name, error) => {
    expect(databaseFaultOf(error)).toBe("cannot_write");
  });

  it.each([
    ["a unique violation", withCode("duplicate key value violates unique constraint", "23505")],
    ["a NUL in text", withCode("invalid byte sequence for encoding", "22021")],
    ["SQLite's constraint", withCode("UNIQUE constraint failed", "SQLITE_CONSTRAINT_UNIQUE")],
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["not an error", "Connection terminated unexpectedly"],
  ])("%s is the request's or the code's fault, not the database's", (_name, error) => {
    expect(databaseFaultOf(error)).toBeUndefined();
  });

  it("finds a fault given as an error's cause", () => {
    const wrapped = new Error("Database migration failed", { cause: withCode("x", "57P01") });
    expect(databaseFaultOf(wrapped)).toBe("unreachable");
  });
});

describe("describeDatabaseError", () => {
  it("keeps the message and code only, not what the driver hangs on its errors", () => {
    const error = Object.assign(withCode("terminating connection", "57P01"), {
      client: { password: "secret" },
    });
    expect(describeDatabaseError(error)).toEqual({ message: "terminating connection", code: "57P01" });
  });
});
