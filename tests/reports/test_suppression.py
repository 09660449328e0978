"""Small-group suppression: primary, complementary, audit, linked tables, properties."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from klankbord.reports.suppression import (
    HIDDEN,
    SMALL,
    CountTable,
    distribution,
    effective_min_group_size,
    quote_allowed,
    suppress,
    suppress_linked,
)


def table(cells, k_cols=True, additive=True):
    rows = [f"r{i}" for i in range(len(cells))]
    cols = [f"c{j}" for j in range(len(cells[0]))]
    if additive:
        row_totals = [sum(r) for r in cells]
    else:  # multiple choice: a respondent may tick several; n per row is at least the largest cell
        row_totals = [max(r) + 3 for r in cells]
    col_totals = [sum(c) for c in zip(*cells, strict=True)] if k_cols else None
    return CountTable(
        rows,
        cols,
        [list(r) for r in cells],
        row_totals,
        col_totals,
        sum(row_totals),
        rows_additive=additive,
    )


def test_minimum_group_size_never_below_five():
    assert effective_min_group_size(None) == 10
    assert effective_min_group_size(3) == 5
    assert effective_min_group_size(15) == 15


def test_single_small_cell_gets_a_complement():
    result = suppress(distribution(["yes", "no", "unsure"], [40, 3, 25], 68), 10)
    yes, no, unsure = result.cells[0]
    assert no.value is None and no.status == SMALL
    # 68 - 40 - 25 would give "no" away, so the next-smallest (25) is hidden too.
    assert unsure.value is None and unsure.status == HIDDEN
    assert yes.value == 40 and yes.percent == 58.8
    assert result.row_totals[0].value == 68


def test_only_other_cells_zero_hides_the_total():
    # 12 people, 8 said yes, 4 said no: hide "no", and then "yes" (the smallest other non-zero).
    result = suppress(distribution(["yes", "no", "?"], [8, 4, 0], 12), 10)
    assert [c.value for c in result.cells[0]] == [None, None, 0]


def test_small_total_hides_the_whole_row_and_its_percentages():
    result = suppress(distribution(["yes", "no"], [6, 0], 6), 10)
    assert all(c.suppressed for c in result.cells[0]) and result.row_totals[0].suppressed


def test_two_ones_next_to_a_shown_cell_are_protected_by_the_audit():
    # 1 + 1 + 20 = 22: knowing each hidden small cell is at least 1, both would be pinned to 1.
    result = suppress(distribution(["a", "b", "c"], [1, 1, 20], 22), 10)
    assert result.cells[0][2].value is None or result.row_totals[0].value is None


def test_k_equal_plus_one_case():
    # a=1 hidden small, c=10 hidden complement, total 11 shown: c>=10 pins a to 1 unless more hides.
    result = suppress(distribution(["a", "b"], [1, 10], 11), 10)
    assert _max_min_range(result, table_from=distribution(["a", "b"], [1, 10], 11), k=10)


def test_multiple_choice_rows_are_not_additive():
    t = distribution(["cook", "shop", "none"], [30, 4, 12], 40, additive=False)
    result = suppress(t, 10)
    assert [c.value for c in result.cells[0]] == [30, None, 12]  # no complement needed
    assert result.cells[0][0].percent == 75.0


def test_linked_tables_hide_the_same_shared_numbers():
    by_location = table([[20, 4], [15, 12]])  # option c1: 4 at location 0
    overall = distribution(["c0", "c1"], by_location.col_totals, by_location.grand_total)
    by_month = table([[18, 8], [17, 8]])
    first, (loc, month) = suppress_linked(overall, [by_location, by_month], 10)
    shown_overall = [c.value for c in first.cells[0]]
    for result in (loc, month):
        assert [c.value for c in result.col_totals] == shown_overall
        assert result.grand_total.value == first.row_totals[0].value


def test_quotes_need_a_group_of_at_least_k():
    assert not quote_allowed(9, 10) and quote_allowed(10, 10) and quote_allowed(5, 3)


# -- properties --------------------------------------------------------------------------------


def _system(source: CountTable, result, k):
    """Unknowns, equations and attacker bounds, written independently of the module."""
    values = {}
    for i in range(len(source.rows)):
        for j in range(len(source.cols)):
            values[("c", i, j)] = (source.cells[i][j], result.cells[i][j])
        values[("r", i)] = (source.row_totals[i], result.row_totals[i])
    if source.col_totals is not None:
        for j in range(len(source.cols)):
            values[("k", j)] = (source.col_totals[j], result.col_totals[j])
    if source.grand_total is not None:
        values[("g",)] = (source.grand_total, result.grand_total)
    unknown = [key for key, (_, fig) in values.items() if fig.value is None]
    return values, unknown


def _max_min_range(result, table_from, k):
    """True when every hidden number can take at least two values given what is shown."""
    values, unknown = _system(table_from, result, k)
    if not unknown:
        return True
    index = {key: n for n, key in enumerate(unknown)}
    eqs, rhs = [], []
    for total, members in table_from.lines():
        row, known = [0.0] * len(unknown), 0.0
        for key, sign in [(total, -1.0)] + [(m, 1.0) for m in members]:
            if key in index:
                row[index[key]] += sign
            else:
                known += sign * values[key][0]
        if any(row):
            eqs.append(row)
            rhs.append(-known)
        else:
            assert abs(known) < 1e-9
    small_rows = {
        key[1] for key, (_, fig) in values.items() if key[0] == "r" and fig.status == SMALL
    }
    grand = values.get(("g",), (None, None))[1]
    everything_small = grand is not None and grand.status == SMALL
    bounds = []
    for key in unknown:
        fig = values[key][1]
        if fig.status == SMALL:
            # A hidden total may be a total of zeros, hidden to protect its line (a column of
            # zeros under small rows): the marker then means 0..k-1 (hypothesis found
            # cells=[[2, 0, 0], [3, 0, 0]], k=5, where the true table broke the 1..k-1 bound).
            cell = key[0] == "c"
            low = 0 if everything_small or not cell or key[1] in small_rows else 1
            bounds.append((low, k - 1))
        else:
            bounds.append((k, None))
    if not eqs:
        return True
    for n in range(len(unknown)):
        c = [0.0] * len(unknown)
        c[n] = 1.0
        low = linprog(c, A_eq=eqs, b_eq=rhs, bounds=bounds, method="highs")
        c[n] = -1.0
        high = linprog(c, A_eq=eqs, b_eq=rhs, bounds=bounds, method="highs")
        assert low.status == 0, "the true table must satisfy what the attacker knows"
        if high.status == 0 and abs(-high.fun - low.fun) < 0.5:
            return False
    return True


small_counts = st.one_of(st.integers(0, 12), st.integers(0, 40))


@settings(max_examples=100, deadline=None)
@example(cells=[[2, 0, 0], [3, 0, 0]], k=5, additive=True)
@given(
    cells=st.integers(1, 4).flatmap(
        lambda n_cols: st.lists(
            st.lists(small_counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=4
        )
    ),
    k=st.sampled_from([5, 10]),
    additive=st.booleans(),
)
def test_no_hidden_number_can_be_worked_out(cells, k, additive):
    source = table(cells, additive=additive)
    result = suppress(source, k)
    # 1. Every figure below k is hidden, and every shown figure is the true one.
    _, unknown = _system(source, result, k)
    values, _ = _system(source, result, k)
    for _key, (true, fig) in values.items():
        if fig.value is not None:
            assert fig.value == true and not (0 < true < k)
    # 2. No additive line has exactly one hidden entry (plain subtraction).
    for total, members in source.lines():
        hidden = [e for e in [total, *members] if values[e][1].value is None]
        assert len(hidden) != 1
    # 3. Nor can any combination of sums pin one down, with the marker bounds known.
    assert _max_min_range(result, source, k)


@settings(max_examples=100, deadline=None)
@given(counts=st.lists(st.integers(0, 25), min_size=1, max_size=3), k=st.sampled_from([5, 10]))
def test_one_row_brute_force(counts, k):
    """Enumerate every table consistent with what is shown: each hidden cell has two options."""
    n = sum(counts)
    source = distribution([str(i) for i in range(len(counts))], counts, n)
    result = suppress(source, k)
    shown = [c.value for c in result.cells[0]]
    total = result.row_totals[0].value
    statuses = [c.status for c in result.cells[0]]
    row_small = result.row_totals[0].status == SMALL
    ranges = []
    for value, status in zip(shown, statuses, strict=True):
        if value is not None:
            ranges.append([value])
        elif status == SMALL:
            ranges.append(range(0 if row_small else 1, k))
        else:
            ranges.append(range(k, n + k + 1))
    possible = [
        combo for combo in itertools.product(*ranges) if total is None or sum(combo) == total
    ]
    assert tuple(counts) in possible
    for position, value in enumerate(shown):
        if value is None:
            assert len({combo[position] for combo in possible}) >= 2
