"""The engine: normalise → match → detect → evaluate, over chunks of messages.

Per chunk (default 2,000 messages) the texts are normalised together, ONE automaton pass finds every
term, allow phrase, pattern trigger and detector trigger of the rule set, one regex pass finds digit
runs, and only messages with a hit get per-message Python work. Output: at most one Finding per
message and rule (the strongest hit, then the first), with the span in the ORIGINAL text; a finding
made by a detector alone gives way to the categories in its rule's `yield_to`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np

from .detect import (
    DIGIT_DETECTORS,
    DIGIT_RUN_RE,
    Detector,
    Hit,
    boundary_ok,
    classify_digit_run,
    get_detector,
    is_word_char,
)
from .match import build_matcher, required_literals
from .mentions import drop_quoted_mentions
from .normalize import Chunk, normalize_many, normalize_text
from .price_policy import DETECTOR as PRICE_DETECTOR
from .price_policy import PriceChecker, PriceSnapshot
from .rules import Finding, Message, Rule

LOCAL_UTC_OFFSET_S = 8 * 3600  # Asia/Shanghai has had no DST since 1991
MAX_PATTERN_HITS = 16
_KIND_SIMPLE, _KIND_GENERAL, _KIND_ALLOW_ONLY = 0, 1, 2


def _fast_constructor() -> Callable[..., Finding]:
    """A Finding constructor that sets the slots directly: the same object as Finding(...) (frozen,
    equal, hashable), at half the cost of the frozen dataclass __init__, which goes through
    object.__setattr__ for every field."""
    setters = [getattr(Finding, f.name).__set__ for f in fields(Finding)]
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10 = setters
    new = object.__new__

    def make(
        msgid: str,
        rule: str,
        category: str,
        article: str,
        severity: str,
        start: int,
        end: int,
        matched: str,
        detector: str,
        confidence: float,
        detail: str = "",
    ) -> Finding:
        f = new(Finding)
        s0(f, msgid)
        s1(f, rule)
        s2(f, category)
        s3(f, article)
        s4(f, severity)
        s5(f, start)
        s6(f, end)
        s7(f, matched)
        s8(f, detector)
        s9(f, confidence)
        s10(f, detail)
        return f

    assert len(setters) == 11
    return make


_new_finding = _fast_constructor()


def local_hour(msgtime_ms: int) -> int:
    return (msgtime_ms // 1000 + LOCAL_UTC_OFFSET_S) // 3600 % 24


@dataclass(slots=True)
class _Actions:
    terms: list[int]
    allows: list[int]
    pattern_gates: list[tuple[int, int]]
    detector_triggers: list[tuple[int, int]]
    boundary: bool


@dataclass(slots=True)
class _CompiledRule:
    index: int
    rule: Rule
    patterns: list[re.Pattern[str]]
    ungated: list[int]  # pattern indexes that run on every chunk
    has_scope: bool

    def in_scope(self, msg: Message) -> bool:
        if not self.has_scope:
            return True
        sc = self.rule.scope
        if sc.sides and msg.side not in sc.sides:
            return False
        if sc.chat_types and msg.chat_type not in sc.chat_types and not (msg.internal and "internal" in sc.chat_types):
            return False
        if sc.msgtypes and msg.msgtype not in sc.msgtypes:
            return False
        if sc.members and msg.sender not in sc.members:
            return False
        if sc.departments and msg.department_id not in sc.departments:
            return False
        if sc.hours is not None:
            if not msg.msgtime:
                return False
            h = local_hour(msg.msgtime)
            start, end = sc.hours
            inside = start <= h < end if start < end else (h >= start or h < end)
            if not inside:
                return False
        return True


class Engine:
    """A compiled rule set. Build once, reuse for every batch (thread-safe for reading).

    `price_policy`: the catalogue snapshot for the rules that list the "price_policy" detector
    (price_policy.py); without one those rules get no price findings and cost nothing."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        min_confidence: float = 0.5,
        chunk_size: int = 2000,
        backend: str = "auto",
        price_policy: PriceSnapshot | None = None,
        quoted_mentions: bool = True,
    ) -> None:
        self.rules = tuple(rules)
        # drop term/pattern findings inside quotation marks of a message that reports or forbids them
        self.quoted_mentions = quoted_mentions
        self.min_confidence = min_confidence
        self.chunk_size = chunk_size
        literals: list[str] = []
        index: dict[str, int] = {}
        actions: list[_Actions] = []

        def lit(raw: str, *, normalized: bool = False) -> _Actions | None:
            key = raw if normalized else normalize_text(raw)
            if not key or "\x00" in key:
                return None
            pid = index.get(key)
            if pid is None:
                pid = index[key] = len(literals)
                literals.append(key)
                actions.append(_Actions([], [], [], [], is_word_char(key[0]) or is_word_char(key[-1])))
            return actions[pid]

        self._compiled: list[_CompiledRule] = []
        self._detectors: list[Detector] = []
        self._chunk_detectors: list[Detector] = []
        det_index: dict[str, int] = {}
        self._rules_by_detector: dict[str, list[int]] = {}
        for ri, rule in enumerate(self.rules):
            for term in rule.terms:
                a = lit(term)
                if a is not None and ri not in a.terms:
                    a.terms.append(ri)
            for phrase in rule.allow:
                a = lit(phrase)
                if a is not None and ri not in a.allows:
                    a.allows.append(ri)
            compiled = []
            ungated = []
            for pj, pattern in enumerate(rule.patterns):
                compiled.append(re.compile(pattern))
                gate = required_literals(pattern)
                gate_actions = [lit(g) for g in gate] if gate else []
                if not gate_actions or any(a is None for a in gate_actions):
                    ungated.append(pj)
                    continue
                for a in gate_actions:
                    if a is not None:
                        a.pattern_gates.append((ri, pj))
            for name in rule.detectors:
                self._rules_by_detector.setdefault(name, []).append(ri)
                if name in DIGIT_DETECTORS or name in det_index:
                    continue
                if name == PRICE_DETECTOR and price_policy is None:
                    continue  # no catalogue: its money cues need not wake the per-message path
                det = get_detector(name)
                di = det_index[name] = len(self._detectors)
                self._detectors.append(det)
                if det.chunk_check is not None:
                    self._chunk_detectors.append(det)
                for li, trig in enumerate((*det.triggers, *det.exclude)):
                    a = lit(trig, normalized=True)
                    if a is not None:
                        a.detector_triggers.append((di, li))
            sc = rule.scope
            has_scope = bool(sc.members or sc.departments or sc.chat_types or sc.sides or sc.hours or sc.msgtypes)
            self._compiled.append(_CompiledRule(ri, rule, compiled, ungated, has_scope))
        self._price: PriceChecker | None = None
        if price_policy is not None and PRICE_DETECTOR in self._rules_by_detector:
            allow = [a for ri in self._rules_by_detector[PRICE_DETECTOR] for a in self.rules[ri].allow]
            self._price = PriceChecker(price_policy, extra_allow=allow)
        self._digits = any(name in self._rules_by_detector for name in DIGIT_DETECTORS)
        self._ungated = [(c.index, pj) for c in self._compiled for pj in c.ungated]
        self._literals = literals
        self._actions = actions
        self._allow_only = [not (a.terms or a.pattern_gates or a.detector_triggers) for a in actions]
        self._scoped = [c.has_scope for c in self._compiled]
        # rules with equal scopes share one id, so a message's scope verdict is computed once per scope
        scope_index: dict[object, int] = {}
        self._scope_ids = [scope_index.setdefault(c.rule.scope, len(scope_index)) for c in self._compiled]
        self._meta = [(c.rule.code, c.rule.category, c.rule.article, c.rule.severity) for c in self._compiled]
        # a detector-only finding of a rule is dropped when a category in its yield_to reports too
        self._yield_to = [frozenset(c.rule.yield_to) for c in self._compiled]
        self._yielding = any(self._yield_to)
        # literals that are nothing but terms (no allow phrase, pattern gate, detector trigger or
        # ASCII boundary): a message whose hits are all such literals takes a short path
        self._simple: list[tuple[int, ...] | None] = [
            tuple(sorted(a.terms))
            if a.terms and not (a.allows or a.pattern_gates or a.detector_triggers or a.boundary)
            else None
            for a in actions
        ]
        # literals whose only use is waking the price check: they count only for messages it looks at
        # (staff with a role), so that money words in customers' messages cost nothing
        price_di = det_index.get(PRICE_DETECTOR)
        self._price_only: np.ndarray | None = None
        if price_di is not None:
            self._price_only = np.array(
                [
                    not (a.terms or a.allows or a.pattern_gates)
                    and bool(a.detector_triggers)
                    and all(di == price_di for di, _li in a.detector_triggers)
                    for a in actions
                ],
                dtype=bool,
            )
        self.matcher = build_matcher(literals, backend)
        self._build_tables()

    def _build_tables(self) -> None:
        """numpy views of the literal actions, for the chunk-wide (vectorised) steps."""
        simple = self._simple
        self._kind = np.array(
            [
                _KIND_SIMPLE
                if simple[pid] is not None
                else _KIND_ALLOW_ONLY
                if self._allow_only[pid]
                else _KIND_GENERAL
                for pid in range(len(simple))
            ],
            dtype=np.int8,
        )
        rules_of = [r if r is not None else () for r in simple]
        self._simple_count = np.array([len(r) for r in rules_of], dtype=np.int64)
        self._simple_first = np.array([r[0] if r else -1 for r in rules_of], dtype=np.int64)
        self._simple_offset = np.zeros(len(rules_of), dtype=np.int64)
        if rules_of:
            np.cumsum(self._simple_count[:-1], out=self._simple_offset[1:])
        self._simple_flat = np.array([ri for r in rules_of for ri in r], dtype=np.int64)
        self._scoped_array = np.array(self._scoped, dtype=bool)

    # --- public API ----------------------------------------------------------------------------

    @property
    def price_checking(self) -> bool:
        """Whether this engine checks quotes against a price policy (a snapshot and a rule that uses it)."""
        return self._price is not None

    @property
    def literal_count(self) -> int:
        return len(self._literals)

    def scan(self, messages: Sequence[Message]) -> list[Finding]:
        out: list[Finding] = []
        for k in range(0, len(messages), self.chunk_size):
            out.extend(self._scan_chunk(messages[k : k + self.chunk_size]))
        return out

    def scan_iter(self, messages: Iterable[Message]) -> Iterator[Finding]:
        """Scan a stream of messages chunk by chunk."""
        batch: list[Message] = []
        for m in messages:
            batch.append(m)
            if len(batch) >= self.chunk_size:
                yield from self._scan_chunk(batch)
                batch = []
        if batch:
            yield from self._scan_chunk(batch)

    def scan_text(self, text: str, **message_fields: object) -> list[Finding]:
        fields = dict(message_fields)
        msgid = str(fields.pop("msgid", ""))
        return self.scan([Message(msgid, text, **fields)])  # type: ignore[arg-type]

    # --- internals -----------------------------------------------------------------------------

    def _scan_chunk(self, msgs: Sequence[Message]) -> list[Finding]:
        findings = self._scan_chunk_raw(msgs)
        return drop_quoted_mentions(msgs, findings) if self.quoted_mentions else findings

    def _scan_chunk_raw(self, msgs: Sequence[Message]) -> list[Finding]:
        chunk = normalize_many([m.text for m in msgs])
        text = chunk.text
        n_msgs = len(msgs)
        raw_hits = self.matcher.find(text)
        # per message: touched = may have a finding; general = needs the per-message evaluation
        # (anything but plain terms: allow phrases, pattern gates, detector triggers, digit runs…)
        touched = np.zeros(n_msgs, dtype=bool)
        general = np.zeros(n_msgs, dtype=bool)
        if raw_hits:
            h = np.array(raw_hits, dtype=np.int64)
            h_pid = h[:, 0]
            h_start = h[:, 1]
            h_msg = np.searchsorted(chunk.starts_array, h_start, side="right") - 1
            if self._price_only is not None:
                price_only = self._price_only[h_pid]
                if price_only.any():
                    checked = np.fromiter((bool(m.role) and m.side == "staff" for m in msgs), dtype=bool, count=n_msgs)
                    keep = ~price_only | checked[h_msg]
                    if not keep.all():
                        kept = np.flatnonzero(keep)
                        h, h_pid, h_start, h_msg = h[kept], h_pid[kept], h_start[kept], h_msg[kept]
                        raw_hits = [raw_hits[j] for j in kept.tolist()]
        if raw_hits:
            kind = self._kind[h_pid]
            touched[h_msg[kind != _KIND_ALLOW_ONLY]] = True
            general[h_msg[kind != _KIND_SIMPLE]] = True
        runs_by_msg: dict[int, list[tuple[int, int]]] = {}
        if self._digits:
            starts = chunk.starts
            for m in DIGIT_RUN_RE.finditer(text):
                i = bisect_right(starts, m.start()) - 1
                lst = runs_by_msg.get(i)
                if lst is None:
                    runs_by_msg[i] = [(m.start(), m.end())]
                else:
                    lst.append((m.start(), m.end()))
        ungated_by_msg: dict[int, list[tuple[int, int, int, int]]] = {}
        for ri, pj in self._ungated:
            for m in self._compiled[ri].patterns[pj].finditer(text):
                i = bisect_right(chunk.starts, m.start()) - 1
                if m.end() <= chunk.ends[i]:
                    ungated_by_msg.setdefault(i, []).append((ri, pj, m.start(), m.end()))
        chunk_hits: dict[int, list[Hit]] = {}
        for det in self._chunk_detectors:
            assert det.chunk_check is not None
            for i, found in det.chunk_check(chunk).items():
                chunk_hits.setdefault(i, []).extend(found)
        for extra in (runs_by_msg, ungated_by_msg, chunk_hits):
            if extra:
                idx = list(extra)
                touched[idx] = True
                general[idx] = True
        if not raw_hits:
            simple_rows: list[Finding] = []
            simple_msg = np.zeros(0, dtype=np.int64)
        else:
            simple_sel = ~general[h_msg]  # hits of messages that only have plain-term hits
            simple_msg, simple_rows = self._simple_findings(
                msgs, chunk, h_pid[simple_sel], h_start[simple_sel], h[simple_sel, 2], h_msg[simple_sel]
            )
        gen_idx = np.flatnonzero(general & touched).tolist()
        if not gen_idx:
            return simple_rows
        hits_by_msg: dict[int, list[tuple[int, int, int]]] = {}
        if raw_hits:
            for j in np.flatnonzero(general[h_msg]).tolist():
                hit = raw_hits[j]
                i = int(h_msg[j])
                mine = hits_by_msg.get(i)
                if mine is None:
                    hits_by_msg[i] = [hit]
                else:
                    mine.append(hit)
        # merge: simple findings are ordered by message; general messages go in between
        cut = np.searchsorted(simple_msg, gen_idx).tolist() if len(simple_rows) else [0] * len(gen_idx)
        findings: list[Finding] = []
        prev = 0
        for i, pos in zip(gen_idx, cut, strict=True):
            if pos > prev:
                findings.extend(simple_rows[prev:pos])
                prev = pos
            findings.extend(
                self._evaluate(
                    msgs[i],
                    i,
                    chunk,
                    hits_by_msg.get(i, ()),
                    runs_by_msg.get(i, ()),
                    ungated_by_msg.get(i, ()),
                    chunk_hits.get(i, ()),
                )
            )
        findings.extend(simple_rows[prev:])
        return findings

    def _simple_findings(
        self,
        msgs: Sequence[Message],
        chunk: Chunk,
        pid: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        msg: np.ndarray,
    ) -> tuple[np.ndarray, list[Finding]]:
        """Findings of the messages whose hits are all plain terms (no allow phrase occurs in them),
        for all such messages of a chunk at once: per message and rule the earliest, then longest
        occurrence; ordered by message, then start, then rule. Returns (message index per finding,
        findings)."""
        if not pid.shape[0]:
            return msg, []
        count = self._simple_count[pid]
        if bool((count == 1).all()):
            rule = self._simple_first[pid]
        else:
            rep = np.repeat(np.arange(pid.shape[0]), count)
            offs = np.cumsum(count) - count
            rule = self._simple_flat[np.repeat(self._simple_offset[pid] - offs, count) + np.arange(rep.shape[0])]
            start, end, msg = start[rep], end[rep], msg[rep]
        scoped = self._scoped_array[rule]
        if scoped.any():
            keep = np.ones(rule.shape[0], dtype=bool)
            compiled = self._compiled
            verdict: dict[tuple[int, int], bool] = {}
            for j in np.flatnonzero(scoped).tolist():
                key = (int(rule[j]), int(msg[j]))
                ok = verdict.get(key)
                if ok is None:
                    ok = verdict[key] = compiled[key[0]].in_scope(msgs[key[1]])
                if not ok:
                    keep[j] = False
            rule, start, end, msg = rule[keep], start[keep], end[keep], msg[keep]
            if not rule.shape[0]:
                return msg, []
        # best occurrence per (message, rule): earliest start, then longest
        order = np.lexsort((-end, start, rule, msg))
        rule, start, end, msg = rule[order], start[order], end[order], msg[order]
        first = np.ones(rule.shape[0], dtype=bool)
        first[1:] = (msg[1:] != msg[:-1]) | (rule[1:] != rule[:-1])
        rule, start, end, msg = rule[first], start[first], end[first], msg[first]
        # output order: message, start (offsets map back monotonically), rule
        order = np.lexsort((rule, start, msg))
        rule, start, end, msg = rule[order], start[order], end[order], msg[order]
        base = chunk.starts_array[msg] if not chunk.deleted else np.asarray(chunk.orig_starts)[msg]
        if chunk.deleted:
            deleted = np.asarray(chunk.deleted, dtype=np.int64)
            o_start = start + np.searchsorted(deleted, start, side="right") - base
            o_end = end + np.searchsorted(deleted, end - 1, side="right") - base
        else:
            o_start = start - base
            o_end = end - base
        meta = self._meta
        new = _new_finding
        out = []
        for i, ri, s, e in zip(msg.tolist(), rule.tolist(), o_start.tolist(), o_end.tolist(), strict=True):
            m = msgs[i]
            code, category, article, severity = meta[ri]
            out.append(new(m.msgid, code, category, article, severity, s, e, m.text[s:e], "", 1.0, ""))
        return msg, out

    def _evaluate(
        self,
        msg: Message,
        i: int,
        chunk: Chunk,
        hits: Sequence[tuple[int, int, int]],
        runs: Sequence[tuple[int, int]],
        ungated: Sequence[tuple[int, int, int, int]],
        chunk_hits: Sequence[Hit],
    ) -> list[Finding]:
        text = chunk.text
        base = chunk.starts[i]
        compiled = self._compiled
        scoped = self._scoped
        scope_ids = self._scope_ids
        verdict: dict[int, bool] = {}  # per scope (rules share scopes): is this message in it
        actions = self._actions
        literals = self._literals
        cands: dict[int, list[tuple[float, int, int, str, str]]] = {}
        allows: dict[int, list[tuple[int, int]]] | None = None
        gates: set[tuple[int, int]] | None = None
        det_occ: dict[int, list[tuple[int, int, int]]] | None = None
        for pid, s, e in hits:
            act = actions[pid]
            if act.detector_triggers:  # detectors check their own boundaries
                if det_occ is None:
                    det_occ = {}
                for di, li in act.detector_triggers:
                    occ = det_occ.get(di)
                    if occ is None:
                        det_occ[di] = [(li, s - base, e - base)]
                    else:
                        occ.append((li, s - base, e - base))
            if act.boundary and not boundary_ok(text, s, e, literals[pid]):
                continue
            for ri in act.terms:
                if scoped[ri]:
                    sid = scope_ids[ri]
                    ok = verdict.get(sid)
                    if ok is None:
                        ok = verdict[sid] = compiled[ri].in_scope(msg)
                    if not ok:
                        continue
                lst = cands.get(ri)
                if lst is None:
                    cands[ri] = [(1.0, s, e, "", "")]
                else:
                    lst.append((1.0, s, e, "", ""))
            if act.allows:
                if allows is None:
                    allows = {}
                for ri in act.allows:
                    allows.setdefault(ri, []).append((s, e))
            if act.pattern_gates:
                if gates is None:
                    gates = set()
                gates.update(act.pattern_gates)
        mtext = text[base : chunk.ends[i]] if (gates or det_occ or runs) else ""
        if gates:
            for ri, pj in gates:
                if scoped[ri]:
                    sid = scope_ids[ri]
                    ok = verdict.get(sid)
                    if ok is None:
                        ok = verdict[sid] = compiled[ri].in_scope(msg)
                    if not ok:
                        continue
                for n, m in enumerate(compiled[ri].patterns[pj].finditer(mtext)):
                    if n >= MAX_PATTERN_HITS:
                        break
                    cands.setdefault(ri, []).append((1.0, base + m.start(), base + m.end(), "", ""))
        for ri, _pj, s, e in ungated:
            if not scoped[ri] or compiled[ri].in_scope(msg):
                cands.setdefault(ri, []).append((1.0, s, e, "", ""))
        if det_occ or runs or chunk_hits:
            detected: list[Hit] = list(chunk_hits)
            by_det = self._rules_by_detector
            if det_occ:
                for di, occ in det_occ.items():
                    det = self._detectors[di]
                    if det.check is None and det.name != PRICE_DETECTOR:
                        continue
                    if not any(not scoped[ri] or compiled[ri].in_scope(msg) for ri in by_det[det.name]):
                        continue
                    if det.check is not None:
                        detected.extend(det.check(mtext, occ))
                    elif self._price is not None and msg.role and msg.side == "staff":
                        detected.extend(
                            Hit(q.start, q.end, PRICE_DETECTOR, 0.8 if q.from_member else 0.9, q.detail())
                            for q in self._price.check(mtext, msg.role, msg.products)
                        )
            for s, e in runs:
                detected.extend(classify_digit_run(mtext, s - base, e - base))
            min_conf = self.min_confidence
            for h in detected:
                if h.confidence < min_conf:
                    continue
                for ri in by_det.get(h.detector, ()):
                    if not scoped[ri] or compiled[ri].in_scope(msg):
                        cands.setdefault(ri, []).append(
                            (
                                h.confidence,
                                base + h.start,
                                base + h.end,
                                h.detector,
                                h.value if h.detector == PRICE_DETECTOR else "",
                            )
                        )
        if not cands:
            return []
        out: list[tuple[int, int, Finding]] = []
        for ri, lst in cands.items():
            if allows is not None and ri in allows:
                spans = allows[ri]
                lst = [c for c in lst if not any(a < c[2] and c[1] < b for a, b in spans)]
                if not lst:
                    continue
            best = lst[0] if len(lst) == 1 else min(lst, key=_rank)
            conf, s, e, det_name, detail = best
            os_, oe = chunk.to_original(i, s, e)
            code, category, article, severity = self._meta[ri]
            out.append(
                (
                    os_,
                    ri,
                    _new_finding(
                        msg.msgid,
                        code,
                        category,
                        article,
                        severity,
                        os_,
                        oe,
                        msg.text[os_:oe],
                        det_name,
                        conf,
                        detail,
                    ),
                )
            )
        if len(out) > 1:
            if self._yielding:
                cats = {t[2].category for t in out}
                yield_to = self._yield_to
                out = [t for t in out if not (t[2].detector and cats.intersection(yield_to[t[1]]))]
            out.sort(key=lambda t: (t[0], t[1]))
        return [t[2] for t in out]


def _rank(c: tuple[float, int, int, str, str]) -> tuple[float, int, int]:
    """Strongest first, then earliest, then longest."""
    return (-c[0], c[1], c[1] - c[2])
