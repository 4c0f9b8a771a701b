"""The stack scripts' own logic that a fresh machine depends on."""

import re
import subprocess

from mediabill_common.testing.plugin import REPO_ROOT

_KAFKA_UUID = re.compile(r"[A-Za-z0-9_-]{22}")


def test_kafka_cluster_ids_are_well_formed_and_never_read_as_an_option():
    # One id in 64 started with "-" before, so among 2,000 about 31 would; the format tool refused those.
    out = subprocess.run(["bash", "-c", "source deploy/stack.sh && kafka_cluster_id 2000"], cwd=REPO_ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == 2000 and len(set(out)) == 2000
    assert all(_KAFKA_UUID.fullmatch(cid) for cid in out)
    assert not [cid for cid in out if cid.startswith("-")]
