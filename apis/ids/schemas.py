"""Pydantic v2 schema of one connection record: the 41 NSL-KDD features.

Strict mode: numbers must be JSON numbers (no "5" strings, no booleans) and the
integer features must be integers. Extra or missing fields are rejected.
protocol_type, service and flag stay free strings: values the model never saw
are accepted here, then scored and flagged by apis.ids.scoring.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# Integers above 2**53 lose precision as floats (the model's input type), and
# much larger ones would overflow; no real counter gets near it.
_MAX_COUNT = 2**53

Count = Annotated[int, Field(ge=0, le=_MAX_COUNT)]
Binary = Annotated[int, Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Category = Annotated[str, Field(min_length=1, max_length=64)]


class ConnectionRecord(BaseModel):
    """One network connection, with the NSL-KDD feature names and order."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    duration: Count = Field(description="connection length in seconds")
    protocol_type: Category = Field(description="tcp, udp or icmp")
    service: Category = Field(description="destination service, e.g. http, ftp_data, private")
    flag: Category = Field(description="connection status flag, e.g. SF, S0, REJ")
    src_bytes: Count
    dst_bytes: Count
    land: Binary = Field(description="1 if source and destination host/port are equal")
    wrong_fragment: Count
    urgent: Count
    hot: Count
    num_failed_logins: Count
    logged_in: Binary
    num_compromised: Count
    root_shell: Binary
    su_attempted: Count = Field(description="documented as 0/1; the data also holds 2")
    num_root: Count
    num_file_creations: Count
    num_shells: Count
    num_access_files: Count
    num_outbound_cmds: Count
    is_host_login: Binary
    is_guest_login: Binary
    count: Count
    srv_count: Count
    serror_rate: Rate
    srv_serror_rate: Rate
    rerror_rate: Rate
    srv_rerror_rate: Rate
    same_srv_rate: Rate
    diff_srv_rate: Rate
    srv_diff_host_rate: Rate
    dst_host_count: Count
    dst_host_srv_count: Count
    dst_host_same_srv_rate: Rate
    dst_host_diff_srv_rate: Rate
    dst_host_same_src_port_rate: Rate
    dst_host_srv_diff_host_rate: Rate
    dst_host_serror_rate: Rate
    dst_host_srv_serror_rate: Rate
    dst_host_rerror_rate: Rate
    dst_host_srv_rerror_rate: Rate

    def features(self) -> dict[str, Any]:
        """The record as the mapping IdsModel.score() takes."""
        return self.model_dump()
