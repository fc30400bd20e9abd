/**
 * NTLM and GSSAPI as Zeek runs them under SMB (docs/zeek-behaviour.md 7,
 * src/core/auth/README.md): security blobs of SMB2 NEGOTIATE and
 * SESSION_SETUP go to an NTLM analyzer (raw NTLMSSP) or a GSSAPI analyzer
 * (SPNEGO, with its own NTLM analyzer inside); each confirms its protocol
 * once (conn.log `service`), and Zeek's ntlm script builds ntlm.log:
 *
 * - a row starts at the connection's first NTLM message (its ts);
 * - the challenge's target info gives the server's NetBIOS/DNS computer
 *   names and DNS tree name; the authenticate message gives domain, host
 *   and user (each only when non-empty);
 * - a SPNEGO negResult (not accept-incomplete) sets `success` and writes the
 *   row at once; otherwise it is written when the connection goes away.
 *
 * smbscope also remembers which user authenticated each SMB2 session, for
 * smb_cmd.log's `username` (Zeek fills that column for SMB1 only).
 */

import { parseNtlmMessage } from '../auth/ntlm.js';
import { routeSmbSecurityBlob, zeekGssapi } from '../auth/spnego.js';
import { isMalformed } from '../bytes/result.js';
import type { ConnRef } from '../events/catalogue.js';
import type { LogValue } from '../logs/format.js';
import type { LogWriter } from '../logs/writer.js';

interface NtlmInfo {
  ts: number;
  username?: string | undefined;
  hostname?: string | undefined;
  domainname?: string | undefined;
  server_nb_computer_name?: string | undefined;
  server_dns_computer_name?: string | undefined;
  server_tree_name?: string | undefined;
  success?: boolean | undefined;
}

interface NtlmState {
  info: NtlmInfo | undefined;
  /** the row of this connection was written */
  logged: boolean;
  /** confirmations already counted: the SMB-owned NTLM analyzer, GSSAPI, GSSAPI's NTLM analyzer */
  smbNtlm: boolean;
  gssapi: boolean;
  gssNtlm: boolean;
  /** SMB2 SessionId -> user name */
  users: Map<bigint, string>;
}

/** Sessions remembered per connection (the oldest go first beyond it). */
const MAX_SESSIONS = 1024;

export class NtlmPolicy {
  private readonly states = new WeakMap<ConnRef, NtlmState>();

  constructor(
    private readonly log: LogWriter | undefined,
    private readonly now: () => number,
    /** Zeek's protocol confirmation: adds a service name to the connection */
    private readonly confirm: (c: ConnRef, service: string) => void,
  ) {}

  /** A security blob of an SMB2 message with session id `sessionId`. */
  blob(c: ConnRef, sessionId: bigint, blob: Uint8Array): void {
    const route = routeSmbSecurityBlob(blob);
    if (route === 'ignore') return;
    const st = this.state(c);
    if (route === 'ntlm') {
      if (this.ntlm(c, st, sessionId, blob) && !st.smbNtlm) {
        st.smbNtlm = true;
        this.confirm(c, 'ntlm');
      }
      return;
    }
    const g = zeekGssapi(blob);
    for (const step of g.steps) {
      if (step.step === 'ntlm') {
        if (this.ntlm(c, st, sessionId, step.token) && !st.gssNtlm) {
          st.gssNtlm = true;
          this.confirm(c, 'ntlm');
        }
      } else if (step.step === 'neg_result') {
        this.negResult(c, st, step.state);
      }
    }
    if (!g.violation && !st.gssapi) {
      st.gssapi = true;
      this.confirm(c, 'gssapi');
    }
  }

  /** The user who authenticated an SMB2 session on this connection, if known. */
  userOf(c: ConnRef, sessionId: bigint): string | undefined {
    return this.states.get(c)?.users.get(sessionId);
  }

  /** The connection went away: an unfinished row is written without `success`. */
  connectionDone(c: ConnRef): void {
    const st = this.states.get(c);
    if (st?.info && !st.logged) this.write(c, st);
  }

  private state(c: ConnRef): NtlmState {
    let st = this.states.get(c);
    if (!st) {
      st = { info: undefined, logged: false, smbNtlm: false, gssapi: false, gssNtlm: false, users: new Map() };
      this.states.set(c, st);
    }
    return st;
  }

  /** One NTLM message; false when Zeek's NTLM parser would fail on it. */
  private ntlm(_c: ConnRef, st: NtlmState, sessionId: bigint, token: Uint8Array): boolean {
    const m = parseNtlmMessage(token);
    if (isMalformed(m)) return false;
    if (m.kind === 'unknown') return true;
    const info = this.info(st);
    if (m.kind === 'challenge') {
      const av = m.challenge.target_info;
      if (av?.nb_computer_name !== undefined) info.server_nb_computer_name = av.nb_computer_name;
      if (av?.dns_computer_name !== undefined) info.server_dns_computer_name = av.dns_computer_name;
      if (av?.dns_tree_name !== undefined) info.server_tree_name = av.dns_tree_name;
    } else if (m.kind === 'authenticate') {
      const a = m.authenticate;
      if (a.domain_name !== undefined) info.domainname = a.domain_name;
      if (a.workstation !== undefined) info.hostname = a.workstation;
      if (a.user_name !== undefined) {
        info.username = a.user_name;
        if (st.users.size >= MAX_SESSIONS) st.users.delete(st.users.keys().next().value!);
        st.users.set(sessionId, a.user_name);
      }
    }
    return true;
  }

  private info(st: NtlmState): NtlmInfo {
    if (!st.info) st.info = { ts: this.now() };
    return st.info;
  }

  private negResult(c: ConnRef, st: NtlmState, state: number): void {
    if (!st.info || st.logged || state === 1) return;
    st.info.success = state === 0;
    this.write(c, st);
  }

  private write(c: ConnRef, st: NtlmState): void {
    st.logged = true;
    const i = st.info!;
    const row: LogValue[] = [
      i.ts,
      c.uid,
      c.id.orig_h,
      c.id.orig_p,
      c.id.resp_h,
      c.id.resp_p,
      i.username,
      i.hostname,
      i.domainname,
      i.server_nb_computer_name,
      i.server_dns_computer_name,
      i.server_tree_name,
      i.success,
    ];
    this.log?.write(row);
  }
}
