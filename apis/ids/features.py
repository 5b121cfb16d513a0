"""The 41 NSL-KDD connection features, their kinds, and the attack taxonomy.

This module is the single source of truth for the feature schema: the data
loader, the training pipeline, the scorer and the pydantic schema all read it.
The NSL-KDD ``difficulty`` column is deliberately absent: it describes the data
set (how many reference classifiers got a row right), not the traffic.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class FeatureKind(StrEnum):
    CATEGORICAL = "categorical"  # free string; unknown values are scored and flagged
    COUNT = "count"  # integer >= 0 (durations, byte counts, event counts)
    BINARY = "binary"  # integer 0 or 1
    RATE = "rate"  # float in [0, 1]


C, N, B, R = FeatureKind.CATEGORICAL, FeatureKind.COUNT, FeatureKind.BINARY, FeatureKind.RATE

# Column order of the NSL-KDD files (columns 1-41). The order is part of the
# model contract: the pipeline selects columns by position.
FEATURE_KINDS: Final[dict[str, FeatureKind]] = {
    "duration": N,
    "protocol_type": C,
    "service": C,
    "flag": C,
    "src_bytes": N,
    "dst_bytes": N,
    "land": B,
    "wrong_fragment": N,
    "urgent": N,
    "hot": N,
    "num_failed_logins": N,
    "logged_in": B,
    "num_compromised": N,
    "root_shell": B,
    # Documented as a 0/1 flag, but the data holds the value 2: treated as a count.
    "su_attempted": N,
    "num_root": N,
    "num_file_creations": N,
    "num_shells": N,
    "num_access_files": N,
    "num_outbound_cmds": N,
    "is_host_login": B,
    "is_guest_login": B,
    "count": N,
    "srv_count": N,
    "serror_rate": R,
    "srv_serror_rate": R,
    "rerror_rate": R,
    "srv_rerror_rate": R,
    "same_srv_rate": R,
    "diff_srv_rate": R,
    "srv_diff_host_rate": R,
    "dst_host_count": N,
    "dst_host_srv_count": N,
    "dst_host_same_srv_rate": R,
    "dst_host_diff_srv_rate": R,
    "dst_host_same_src_port_rate": R,
    "dst_host_srv_diff_host_rate": R,
    "dst_host_serror_rate": R,
    "dst_host_srv_serror_rate": R,
    "dst_host_rerror_rate": R,
    "dst_host_srv_rerror_rate": R,
}
del C, N, B, R

FEATURE_NAMES: Final[tuple[str, ...]] = tuple(FEATURE_KINDS)
CATEGORICAL_FEATURES: Final[tuple[str, ...]] = tuple(
    name for name, kind in FEATURE_KINDS.items() if kind is FeatureKind.CATEGORICAL
)
NUMERIC_FEATURES: Final[tuple[str, ...]] = tuple(
    name for name, kind in FEATURE_KINDS.items() if kind is not FeatureKind.CATEGORICAL
)
N_FEATURES: Final[int] = 41
if len(FEATURE_NAMES) != N_FEATURES:
    raise ImportError("NSL-KDD has exactly 41 features")

# Column positions inside FEATURE_NAMES (and so inside the model's input matrix).
CATEGORICAL_INDEX: Final[tuple[int, ...]] = tuple(
    FEATURE_NAMES.index(n) for n in CATEGORICAL_FEATURES
)
NUMERIC_INDEX: Final[tuple[int, ...]] = tuple(FEATURE_NAMES.index(n) for n in NUMERIC_FEATURES)

NORMAL: Final[str] = "normal"
# Class order used everywhere (probability columns, metrics, confusion matrix).
CLASSES: Final[tuple[str, ...]] = (NORMAL, "DoS", "Probe", "R2L", "U2R")
ATTACK_CLASSES: Final[tuple[str, ...]] = CLASSES[1:]

# Every attack name of NSL-KDD (train and test sets), from the data set's README.
# Names absent from the training file are kept so any NSL-KDD file can be labelled.
ATTACK_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "DoS": (
        "back",
        "land",
        "neptune",
        "pod",
        "smurf",
        "teardrop",
        "apache2",
        "mailbomb",
        "processtable",
        "udpstorm",
    ),
    "Probe": ("ipsweep", "nmap", "portsweep", "satan", "mscan", "saint"),
    "R2L": (
        "ftp_write",
        "guess_passwd",
        "imap",
        "multihop",
        "phf",
        "spy",
        "warezclient",
        "warezmaster",
        "named",
        "sendmail",
        "snmpgetattack",
        "snmpguess",
        "xlock",
        "xsnoop",
        "worm",
        "httptunnel",
    ),
    "U2R": ("buffer_overflow", "loadmodule", "perl", "rootkit", "ps", "sqlattack", "xterm"),
}
ATTACK_TO_CATEGORY: Final[dict[str, str]] = {
    name: category for category, names in ATTACK_CATEGORIES.items() for name in names
}


def category_of(label: str) -> str:
    """Map an NSL-KDD label (``normal`` or an attack name) to one of CLASSES."""
    if label == NORMAL:
        return NORMAL
    try:
        return ATTACK_TO_CATEGORY[label]
    except KeyError:
        raise ValueError(
            f"unknown NSL-KDD label {label!r}: not normal nor a listed attack"
        ) from None
