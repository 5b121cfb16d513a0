"""The pydantic schema of one record: 41 named, typed, bounded features, nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from apis.ids.features import FEATURE_KINDS, FEATURE_NAMES, FeatureKind
from apis.ids.schemas import ConnectionRecord

from .support import neptune_record, normal_record


def _error_locations(payload: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as excinfo:
        ConnectionRecord.model_validate(payload)
    return {".".join(map(str, e["loc"])) for e in excinfo.value.errors()}


def test_fields_are_the_41_features_in_order() -> None:
    assert tuple(ConnectionRecord.model_fields) == FEATURE_NAMES


@pytest.mark.parametrize("record", [normal_record(), neptune_record()])
def test_valid_records_pass_in_python_and_json(record: dict[str, Any]) -> None:
    parsed = ConnectionRecord.model_validate(record)
    assert parsed.features() == record
    assert ConnectionRecord.model_validate_json(json.dumps(record)).features() == record


def test_rates_accept_json_integers() -> None:
    record = normal_record() | {"same_srv_rate": 1, "serror_rate": 0}
    assert ConnectionRecord.model_validate_json(json.dumps(record)).same_srv_rate == 1.0


def test_unknown_category_values_are_accepted() -> None:
    # Unseen services are the scorer's business (scored and flagged), not a 422.
    assert ConnectionRecord.model_validate(normal_record() | {"service": "quic"}).service == "quic"


def test_missing_feature_rejected() -> None:
    record = normal_record()
    del record["dst_bytes"]
    assert _error_locations(record) == {"dst_bytes"}


def test_extra_feature_rejected() -> None:
    assert _error_locations(normal_record() | {"difficulty": 20}) == {"difficulty"}
    assert _error_locations(normal_record() | {"label": "normal"}) == {"label"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("src_bytes", -1),  # negative count
        ("duration", -5),
        ("count", 1.5),  # integer feature given a fraction
        ("count", 2.0),  # strict: integers must be integers
        ("count", "3"),  # strict: no numeric strings
        ("hot", True),  # strict: no booleans as numbers
        ("src_bytes", 2**60),  # beyond exact float range
        ("logged_in", 2),  # binary flag
        ("land", -1),
        ("serror_rate", 1.01),  # rates within 0..1
        ("dst_host_rerror_rate", -0.1),
        ("same_srv_rate", "1.0"),
        ("same_srv_rate", float("nan")),
        ("same_srv_rate", float("inf")),
        ("protocol_type", 6),  # strings must be strings
        ("service", ""),
        ("flag", "S" * 65),
        ("service", None),
    ],
)
def test_bad_values_rejected(field: str, value: Any) -> None:
    assert _error_locations(normal_record() | {field: value}) == {field}


def test_su_attempted_accepts_the_value_2_seen_in_data() -> None:
    assert ConnectionRecord.model_validate(normal_record() | {"su_attempted": 2}).su_attempted == 2


def test_field_constraints_follow_feature_kinds() -> None:
    schema = ConnectionRecord.model_json_schema()["properties"]
    for name, kind in FEATURE_KINDS.items():
        spec = schema[name]
        if kind is FeatureKind.CATEGORICAL:
            assert spec["type"] == "string"
        elif kind is FeatureKind.RATE:
            assert (spec["type"], spec["minimum"], spec["maximum"]) == ("number", 0.0, 1.0)
        elif kind is FeatureKind.BINARY:
            assert (spec["type"], spec["minimum"], spec["maximum"]) == ("integer", 0, 1)
        else:
            assert (spec["type"], spec["minimum"]) == ("integer", 0)


def test_records_are_immutable() -> None:
    parsed = ConnectionRecord.model_validate(normal_record())
    with pytest.raises(ValidationError):
        parsed.duration = 3  # type: ignore[misc]
