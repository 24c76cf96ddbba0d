"""The engine: normalise → match → detect → evaluate, over chunks of messages.

Per chunk (default 2,000 messages) the texts are normalised together, ONE automaton pass finds every
term, allow phrase, pattern trigger and detector trigger of the rule set, one regex pass finds digit
runs, and only messages with a hit get per-message Python work. Output: at most one Finding per
message and rule (the strongest hit, then the first), with the span in the ORIGINAL text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

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
from .normalize import Chunk, normalize_many, normalize_text
from .rules import Finding, Message, Rule

LOCAL_UTC_OFFSET_S = 8 * 3600  # Asia/Shanghai has had no DST since 1991
MAX_PATTERN_HITS = 16


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
        if sc.chat_types and msg.chat_type not in sc.chat_types:
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
    """A compiled rule set. Build once, reuse for every batch (thread-safe for reading)."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        min_confidence: float = 0.5,
        chunk_size: int = 2000,
        backend: str = "auto",
    ) -> None:
        self.rules = tuple(rules)
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
            has_scope = bool(sc.members or sc.departments or sc.chat_types or sc.sides or sc.hours)
            self._compiled.append(_CompiledRule(ri, rule, compiled, ungated, has_scope))
        self._digits = any(name in self._rules_by_detector for name in DIGIT_DETECTORS)
        self._ungated = [(c.index, pj) for c in self._compiled for pj in c.ungated]
        self._literals = literals
        self._actions = actions
        self._allow_only = [not (a.terms or a.pattern_gates or a.detector_triggers) for a in actions]
        self._scoped = [c.has_scope for c in self._compiled]
        self._meta = [(c.rule.code, c.rule.category, c.rule.article, c.rule.severity) for c in self._compiled]
        # literals that are nothing but terms (no allow phrase, pattern gate, detector trigger or
        # ASCII boundary): a message whose hits are all such literals takes a short path
        self._simple: list[tuple[int, ...] | None] = [
            tuple(sorted(a.terms))
            if a.terms and not (a.allows or a.pattern_gates or a.detector_triggers or a.boundary)
            else None
            for a in actions
        ]
        self.matcher = build_matcher(literals, backend)

    # --- public API ----------------------------------------------------------------------------

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
        chunk = normalize_many([m.text for m in msgs])
        text = chunk.text
        starts = chunk.starts
        hits_by_msg: dict[int, list[tuple[int, int, int]]] = {}
        touched: set[int] = set()  # messages that may have a finding
        general: set[int] = set()  # ... and need the general evaluation (not only plain terms)
        allow_only = self._allow_only
        simple = self._simple
        for hit in self.matcher.find(text):
            i = bisect_right(starts, hit[1]) - 1
            lst = hits_by_msg.get(i)
            if lst is None:
                hits_by_msg[i] = [hit]
            else:
                lst.append(hit)
            if simple[hit[0]] is None:
                general.add(i)
                if not allow_only[hit[0]]:
                    touched.add(i)
            else:
                touched.add(i)
        runs_by_msg: dict[int, list[tuple[int, int]]] = {}
        if self._digits:
            for m in DIGIT_RUN_RE.finditer(text):
                i = bisect_right(starts, m.start()) - 1
                runs_by_msg.setdefault(i, []).append((m.start(), m.end()))
            touched.update(runs_by_msg)
            general.update(runs_by_msg)
        ungated_by_msg: dict[int, list[tuple[int, int, int, int]]] = {}
        for ri, pj in self._ungated:
            for m in self._compiled[ri].patterns[pj].finditer(text):
                i = bisect_right(starts, m.start()) - 1
                if m.end() <= chunk.ends[i]:
                    ungated_by_msg.setdefault(i, []).append((ri, pj, m.start(), m.end()))
            touched.update(ungated_by_msg)
            general.update(ungated_by_msg)
        chunk_hits: dict[int, list[Hit]] = {}
        for det in self._chunk_detectors:
            assert det.chunk_check is not None
            for i, found in det.chunk_check(chunk).items():
                chunk_hits.setdefault(i, []).extend(found)
        touched.update(chunk_hits)
        general.update(chunk_hits)
        findings: list[Finding] = []
        for i in sorted(touched):
            if i not in general:
                findings.extend(self._simple_findings(msgs[i], i, chunk, hits_by_msg[i]))
                continue
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
        return findings

    def _simple_findings(
        self, msg: Message, i: int, chunk: Chunk, hits: Sequence[tuple[int, int, int]]
    ) -> list[Finding]:
        """Findings of a message whose hits are all plain terms (no allow phrase occurs in it)."""
        simple = self._simple
        meta = self._meta
        scoped = self._scoped
        compiled = self._compiled
        if len(hits) == 1:
            pid, s, e = hits[0]
            os_, oe = chunk.to_original(i, s, e)
            matched = msg.text[os_:oe]
            out = []
            for ri in simple[pid]:  # type: ignore[union-attr]
                if scoped[ri] and not compiled[ri].in_scope(msg):
                    continue
                code, category, article, severity = meta[ri]
                out.append(Finding(msg.msgid, code, category, article, severity, os_, oe, matched, "", 1.0))
            return out
        best: dict[int, tuple[int, int]] = {}
        for pid, s, e in hits:
            for ri in simple[pid]:  # type: ignore[union-attr]
                if scoped[ri] and not compiled[ri].in_scope(msg):
                    continue
                cur = best.get(ri)
                if cur is None or s < cur[0] or (s == cur[0] and e > cur[1]):
                    best[ri] = (s, e)
        rows = []
        for ri, (s, e) in best.items():
            os_, oe = chunk.to_original(i, s, e)
            code, category, article, severity = meta[ri]
            rows.append(
                (os_, ri, Finding(msg.msgid, code, category, article, severity, os_, oe, msg.text[os_:oe], "", 1.0))
            )
        rows.sort(key=lambda t: (t[0], t[1]))
        return [t[2] for t in rows]

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
        actions = self._actions
        literals = self._literals
        cands: dict[int, list[tuple[float, int, int, str]]] = {}
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
                if scoped[ri] and not compiled[ri].in_scope(msg):
                    continue
                lst = cands.get(ri)
                if lst is None:
                    cands[ri] = [(1.0, s, e, "")]
                else:
                    lst.append((1.0, s, e, ""))
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
                if scoped[ri] and not compiled[ri].in_scope(msg):
                    continue
                for n, m in enumerate(compiled[ri].patterns[pj].finditer(mtext)):
                    if n >= MAX_PATTERN_HITS:
                        break
                    cands.setdefault(ri, []).append((1.0, base + m.start(), base + m.end(), ""))
        for ri, _pj, s, e in ungated:
            if not scoped[ri] or compiled[ri].in_scope(msg):
                cands.setdefault(ri, []).append((1.0, s, e, ""))
        if det_occ or runs or chunk_hits:
            detected: list[Hit] = list(chunk_hits)
            by_det = self._rules_by_detector
            if det_occ:
                for di, occ in det_occ.items():
                    det = self._detectors[di]
                    if det.check is None:
                        continue
                    if not any(not scoped[ri] or compiled[ri].in_scope(msg) for ri in by_det[det.name]):
                        continue
                    detected.extend(det.check(mtext, occ))
            for s, e in runs:
                detected.extend(classify_digit_run(mtext, s - base, e - base))
            min_conf = self.min_confidence
            for h in detected:
                if h.confidence < min_conf:
                    continue
                for ri in by_det.get(h.detector, ()):
                    if not scoped[ri] or compiled[ri].in_scope(msg):
                        cands.setdefault(ri, []).append((h.confidence, base + h.start, base + h.end, h.detector))
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
            conf, s, e, det_name = best
            os_, oe = chunk.to_original(i, s, e)
            code, category, article, severity = self._meta[ri]
            out.append(
                (
                    os_,
                    ri,
                    Finding(msg.msgid, code, category, article, severity, os_, oe, msg.text[os_:oe], det_name, conf),
                )
            )
        if len(out) > 1:
            out.sort(key=lambda t: (t[0], t[1]))
        return [t[2] for t in out]


def _rank(c: tuple[float, int, int, str]) -> tuple[float, int, int]:
    """Strongest first, then earliest, then longest."""
    return (-c[0], c[1], c[1] - c[2])
