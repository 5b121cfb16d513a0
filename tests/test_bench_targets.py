"""`make bench` fails when a figure misses its target: the verdict each benchmark reports."""

from bench.harness import Target, check_targets


def test_a_ceiling_is_met_up_to_its_limit_and_a_floor_from_it() -> None:
    assert Target("p99", 10.0, 10.0, "ms").met
    assert not Target("p99", 10.01, 10.0, "ms").met
    assert Target("rows", 50_000, 50_000, "rows/s", at_least=True).met
    assert not Target("rows", 49_999, 50_000, "rows/s", at_least=True).met


def test_one_missed_target_makes_the_exit_status_1(capsys) -> None:
    figures, status = check_targets(
        [
            Target("single p99", 2.1, 10.0, "ms"),
            Target("batch", 37_792, 50_000, "rows/s", at_least=True),
        ]
    )
    assert status == 1
    assert figures["single p99"]["met"] is True
    assert figures["batch"] == {
        "value": 37_792,
        "limit": 50_000,
        "unit": "rows/s",
        "rule": "at least",
        "met": False,
    }
    assert "MISSED batch: 37,792.00 rows/s (target >= 50,000 rows/s)" in capsys.readouterr().out


def test_all_met_exits_0() -> None:
    assert check_targets([Target("memory", 150.0, 400.0, "MB")])[1] == 0
