"""`:name` parameters become asyncpg's `$n` by the rule text() uses."""

from mediabill_common.db.reads import positional


def test_names_become_numbers_in_order_and_a_repeated_name_is_one_parameter():
    sql, names = positional("SELECT * FROM t WHERE a = :a AND (b, c) > (:b, :a) LIMIT :lim")
    assert sql == "SELECT * FROM t WHERE a = $1 AND (b, c) > ($2, $1) LIMIT $3"
    assert names == ("a", "b", "lim")


def test_casts_escaped_colons_and_named_arguments_are_left_alone():
    sql, names = positional(r"SELECT x::date, '\:literal', make_interval(secs => :age_s) FROM t WHERE id = ANY(:ids)")
    assert sql == r"SELECT x::date, '\:literal', make_interval(secs => $1) FROM t WHERE id = ANY($2)"
    assert names == ("age_s", "ids")


def test_a_statement_without_parameters_is_unchanged():
    assert positional("SELECT 1") == ("SELECT 1", ())
