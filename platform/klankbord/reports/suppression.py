"""Small-group suppression: no figure in a report may let anyone single out a resident.

Pure Python plus SciPy; no Flask, no database. Every table a report shows (page, PDF, CSV, share
link) passes through :func:`suppress` first, so they all hide the same cells.

The rules, with the attacker we protect against in mind (someone who knows these rules, reads every
shown number and adds and subtracts):

* **Primary suppression.** A count of 1 to k-1 (k = the organisation's minimum group size, never
  below 5) is replaced by the marker "fewer than k". A row whose total is below k is hidden whole,
  zeros included, because every percentage in it rests on fewer than k people. Zeros elsewhere are
  shown: a zero describes no one.
* **Complementary (secondary) suppression.** Where an additive line (cells and their total) has
  exactly one hidden entry, the smallest other non-zero cell is hidden too ("hidden" marker); when
  no such cell exists, the total is hidden.
* **Audit.** Rules of thumb miss cases such as two cells of 1 in a row of 22 with a cell of 20
  shown: an attacker who knows a hidden small cell is at least 1 can solve that. So after the
  rules, each hidden value's feasible range is computed exactly (a linear programme over the
  table's sum constraints with what the attacker knows: "fewer than k" means 1..k-1, 0..k-1 inside
  a hidden row, and "hidden" means at least k); while any hidden value is pinned to one number,
  one more entry is hidden. Table constraints of this shape are a flow network (totally
  unimodular), so the LP range equals the integer range.
* **Percentages** are shown only next to a shown count with a shown total (a percentage and its
  count would give the total away).
* Tables that share margins (the overall distribution of a question and its breakdowns by
  location and by month) are suppressed together until their shared cells agree
  (:func:`suppress_linked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from klankbord.reports.ptable import perturb

#: Lowest minimum group size any organisation may choose, and the default.
MIN_GROUP_SIZE_FLOOR = 5
DEFAULT_MIN_GROUP_SIZE = 10

SHOWN = "shown"
SMALL = "small"  # fewer than k: primary suppression
HIDDEN = "hidden"  # complementary suppression, protects a small cell

Key = tuple  # ("c", i, j) cell, ("r", i) row total, ("k", j) column total, ("g",) grand total


def effective_min_group_size(value: int | None) -> int:
    """The minimum group size to apply: the organisation's, never below the floor."""
    if value is None:
        return DEFAULT_MIN_GROUP_SIZE
    return max(MIN_GROUP_SIZE_FLOOR, int(value))


@dataclass(frozen=True)
class Figure:
    """One number as a report may show it: ``value`` is None when suppressed."""

    value: int | None
    status: str = SHOWN
    percent: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.status != SHOWN


@dataclass
class CountTable:
    """Raw counts: groups (rows) by answers (columns), with totals.

    ``rows_additive`` is True when the cells of a row add up to its total (single choice), False
    when one respondent may count in several columns (multiple choice). Row totals always add up
    to ``grand_total`` (rows partition the respondents; put "unknown" in a row of its own), and
    cells in a column add up to ``col_totals``.
    """

    rows: list[str]
    cols: list[str]
    cells: list[list[int]]
    row_totals: list[int]
    col_totals: list[int] | None = None
    grand_total: int | None = None
    rows_additive: bool = True
    #: Sum of the record keys of each entry (cell-key perturbation, reports.ptable); None for
    #: tables whose shown values are the true counts.
    key_sums: dict | None = None

    def value(self, key: Key) -> int:
        kind = key[0]
        if kind == "c":
            return self.cells[key[1]][key[2]]
        if kind == "r":
            return self.row_totals[key[1]]
        if kind == "k":
            assert self.col_totals is not None
            return self.col_totals[key[1]]
        assert self.grand_total is not None
        return self.grand_total

    def keys(self) -> list[Key]:
        n_rows, n_cols = len(self.rows), len(self.cols)
        keys: list[Key] = [("c", i, j) for i in range(n_rows) for j in range(n_cols)]
        keys += [("r", i) for i in range(len(self.rows))]
        if self.col_totals is not None:
            keys += [("k", j) for j in range(len(self.cols))]
        if self.grand_total is not None:
            keys.append(("g",))
        return keys

    def lines(self) -> list[tuple[Key, list[Key]]]:
        """The additive relations: (total, members whose sum it is)."""
        n_rows, n_cols = len(self.rows), len(self.cols)
        lines: list[tuple[Key, list[Key]]] = []
        if self.rows_additive:
            lines += [(("r", i), [("c", i, j) for j in range(n_cols)]) for i in range(n_rows)]
        if self.col_totals is not None:
            lines += [(("k", j), [("c", i, j) for i in range(n_rows)]) for j in range(n_cols)]
        if self.grand_total is not None:
            lines.append((("g",), [("r", i) for i in range(n_rows)]))
            if self.col_totals is not None and self.rows_additive:
                lines.append((("g",), [("k", j) for j in range(n_cols)]))
        return lines


@dataclass
class SuppressedTable:
    """A table ready to show: every number is a :class:`Figure`."""

    rows: list[str]
    cols: list[str]
    cells: list[list[Figure]]
    row_totals: list[Figure]
    col_totals: list[Figure] | None
    grand_total: Figure | None
    min_group_size: int
    hidden_keys: frozenset = field(default_factory=frozenset)

    @property
    def any_suppressed(self) -> bool:
        return bool(self.hidden_keys)


class _State:
    """Which entries are hidden, and what an attacker knows about each."""

    def __init__(self, table: CountTable, k: int):
        self.table = table
        self.k = k
        self.hidden: set[Key] = set()
        self.small_rows: set[int] = set()

    def value(self, key: Key) -> int:
        return self.table.value(key)

    def bounds(self, key: Key) -> tuple[float, float | None]:
        """What the markers tell: 'fewer than k' (1..k-1 for a cell; 0..k-1 for a cell of a hidden
        row and for any total, since a total of zeros can be hidden to protect its line) or >= k."""
        value = self.value(key)
        if value >= self.k:
            return float(self.k), None
        cell = key[0] == "c"
        low = 0.0 if not cell or key[1] in self.small_rows or self._all_small else 1.0
        return low, float(self.k - 1)

    @property
    def _all_small(self) -> bool:
        return self.table.grand_total is not None and 0 < self.table.grand_total < self.k


def _primary(state: _State) -> None:
    table, k = state.table, state.k
    everything = table.grand_total is not None and 0 < table.grand_total < k
    for key in table.keys():
        value = table.value(key)
        if everything or 0 < value < k:
            state.hidden.add(key)
    for i, total in enumerate(table.row_totals):
        if 0 < total < k or (everything and total > 0):
            state.small_rows.add(i)
            state.hidden.update(("c", i, j) for j in range(len(table.cols)))
            state.hidden.add(("r", i))
    if everything:
        # A zero is no one, but inside a table of fewer than k people it tells too much.
        state.hidden.update(table.keys())
        state.small_rows.update(range(len(table.rows)))


def _complement_lines(state: _State) -> bool:
    """Hide one more entry in every line with exactly one hidden entry. True if anything changed."""
    changed = False
    for total, members in state.table.lines():
        entries = [total, *members]
        hidden = [e for e in entries if e in state.hidden]
        if len(hidden) != 1:
            continue
        candidates = [m for m in members if m not in state.hidden and state.value(m) > 0]
        if candidates:
            pick = min(candidates, key=lambda m: (state.value(m), members.index(m)))
        elif total not in state.hidden:
            pick = total
        else:  # only the total is hidden and every member is zero: then the total is zero too
            continue
        state.hidden.add(pick)
        changed = True
    return changed


def _exposed(state: _State) -> list[Key]:
    """Hidden entries whose value the shown numbers pin down exactly."""
    hidden = sorted(state.hidden)
    if not hidden:
        return []
    index = {key: n for n, key in enumerate(hidden)}
    rows_eq: list[list[float]] = []
    rhs: list[float] = []
    for total, members in state.table.lines():
        entries = [(total, -1.0)] + [(m, 1.0) for m in members]
        if not any(e in index for e, _ in entries):
            continue
        row = [0.0] * len(hidden)
        known = 0.0
        for entry, sign in entries:
            if entry in index:
                row[index[entry]] += sign
            else:
                known += sign * state.value(entry)
        rows_eq.append(row)
        rhs.append(-known)
    bounds = [state.bounds(key) for key in hidden]
    if not rows_eq:
        return []
    from scipy.optimize import linprog

    exposed = []
    for n, key in enumerate(hidden):
        objective = [0.0] * len(hidden)
        ends = []
        for sign in (1.0, -1.0):
            objective[n] = sign
            result = linprog(objective, A_eq=rows_eq, b_eq=rhs, bounds=bounds, method="highs")
            if result.status == 3:  # unbounded: cannot be pinned down
                ends.append(None)
                break
            if result.status != 0:  # infeasible would mean our own bounds are wrong: be safe
                ends.append(None)
                break
            ends.append(sign * result.fun)
        if len(ends) == 2 and None not in ends and abs(ends[1] - ends[0]) < 0.5:
            exposed.append(key)
    return exposed


def _protect(state: _State, key: Key) -> None:
    """Hide one more entry next to an exposed one: the smallest shown non-zero neighbour."""
    lines = [(t, m) for t, m in state.table.lines() if key == t or key in m]
    neighbours = [
        m for _, members in lines for m in members if m not in state.hidden and state.value(m) > 0
    ]
    if neighbours:
        state.hidden.add(min(neighbours, key=state.value))
        return
    totals = [t for t, _ in lines if t not in state.hidden]
    if totals:
        state.hidden.add(totals[0])
        return
    # Nothing left to hide next to it: hide the whole table rather than give it away.
    state.hidden.update(state.table.keys())


def suppress(table: CountTable, min_group_size: int, force: Iterable[Key] = ()) -> SuppressedTable:
    """Suppress small cells and whatever would give them away.

    Which entries are hidden is a pure function of the true counts, so that part is memoised (the
    audit's linear programmes cost milliseconds each and a report has dozens of tables); the
    figures are rendered on every call, because two tables with equal counts may hold different
    records and so get different perturbations (``CountTable.key_sums``).

    :param force: entries to hide in any case (shared with a linked table).
    """
    key = (
        tuple(table.rows),
        tuple(table.cols),
        tuple(map(tuple, table.cells)),
        tuple(table.row_totals),
        None if table.col_totals is None else tuple(table.col_totals),
        table.grand_total,
        table.rows_additive,
        effective_min_group_size(min_group_size),
        frozenset(force),
    )
    hidden = _MEMO.get(key)
    if hidden is None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        hidden = _MEMO[key] = _suppress(table, min_group_size, frozenset(force)).hidden_keys
    state = _State(table, effective_min_group_size(min_group_size))
    state.hidden = set(hidden)
    return _render(state)


_MEMO: dict = {}
_MEMO_SIZE = 4096


def _suppress(table: CountTable, min_group_size: int, force: frozenset) -> SuppressedTable:
    k = effective_min_group_size(min_group_size)
    state = _State(table, k)
    _primary(state)
    state.hidden.update(force)
    for _ in range(10 * len(table.keys()) + 10):
        if _complement_lines(state):
            continue
        exposed = _exposed(state)
        if not exposed:
            break
        _protect(state, exposed[0])
    return _render(state)


def _released(state: _State, key: Key) -> int:
    """The value a reader sees: the true count, perturbed when the table has record keys.

    Suppression (and its audit) decide on the true counts, so whatever is hidden is hidden exactly
    as before; the numbers left standing are then perturbed, which only widens what a reader can
    infer about a hidden entry.
    """
    value = state.value(key)
    sums = state.table.key_sums
    if sums is None or key not in sums:
        return value
    return perturb(value, sums[key], state.k)


def _figure(state: _State, key: Key, base: Key | None = None) -> Figure:
    value = state.value(key)
    if key in state.hidden:
        return Figure(None, SMALL if value < state.k else HIDDEN)
    value = _released(state, key)
    percent = None
    if base is not None and base not in state.hidden:
        total = _released(state, base)
        if total > 0:
            percent = round(100.0 * value / total, 1)
    return Figure(value, SHOWN, percent)


def _render(state: _State) -> SuppressedTable:
    table = state.table
    cells = [
        [_figure(state, ("c", i, j), ("r", i)) for j in range(len(table.cols))]
        for i in range(len(table.rows))
    ]
    row_totals = [_figure(state, ("r", i)) for i in range(len(table.rows))]
    col_totals = None
    if table.col_totals is not None:
        base = ("g",) if table.grand_total is not None else None
        col_totals = [_figure(state, ("k", j), base) for j in range(len(table.cols))]
    grand = _figure(state, ("g",)) if table.grand_total is not None else None
    return SuppressedTable(
        list(table.rows),
        list(table.cols),
        cells,
        row_totals,
        col_totals,
        grand,
        state.k,
        frozenset(state.hidden),
    )


def distribution(
    labels: Sequence[str],
    counts: Sequence[int],
    n: int,
    *,
    additive: bool = True,
    key_sums: Sequence[int] | None = None,
    n_key_sum: int | None = None,
) -> CountTable:
    """A one-row table: the answers to one question and the number who answered it.

    With ``key_sums`` (one per count) and ``n_key_sum``, shown values are perturbed.
    """
    sums = None
    if key_sums is not None:
        sums = {("c", 0, j): int(v) for j, v in enumerate(key_sums)}
        if n_key_sum is not None:
            sums[("r", 0)] = int(n_key_sum)
    return CountTable(
        ["all"], list(labels), [list(counts)], [n], rows_additive=additive, key_sums=sums
    )


def suppress_linked(
    overall: CountTable,
    breakdowns: Sequence[CountTable],
    min_group_size: int,
    force: Iterable[Key] = (),
) -> tuple[SuppressedTable, list[SuppressedTable]]:
    """Suppress a distribution and its breakdowns so the numbers they share agree.

    ``overall`` is a one-row table; each breakdown's column totals and grand total are the same
    numbers as ``overall``'s cells and total. What one table hides in the shared numbers, the
    others hide too, until nothing changes. ``force`` hides entries of ``overall`` in any case.
    """
    shared: set[Key] = set(force)  # in the overall table's keys: ("c", 0, j) and ("r", 0)

    def to_breakdown(key: Key) -> Key:
        return ("k", key[2]) if key[0] == "c" else ("g",)

    for _ in range(len(overall.cols) + 3):
        first = suppress(overall, min_group_size, force=shared)
        shared |= {key for key in first.hidden_keys if key[0] in ("c", "r")}
        results = []
        for table in breakdowns:
            result = suppress(table, min_group_size, force={to_breakdown(key) for key in shared})
            results.append(result)
            for key in result.hidden_keys:
                if key[0] == "k":
                    shared.add(("c", 0, key[1]))
                elif key[0] == "g":
                    shared.add(("r", 0))
        if shared <= set(first.hidden_keys):
            return first, results
    # Did not settle (cannot happen with finite tables, each round hides more): hide everything.
    return (
        suppress(overall, min_group_size, force=overall.keys()),
        [suppress(t, min_group_size, force=t.keys()) for t in breakdowns],
    )


def quote_allowed(group_size: int, min_group_size: int) -> bool:
    """A quote may be shown only when it comes from a group of at least k texts."""
    return group_size >= effective_min_group_size(min_group_size)
