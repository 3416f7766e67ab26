"""ops/stack.py: whom the gateway's workers run as under root."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import stack

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="nginx's user directive applies only under root"
)


@pytest.fixture
def open_folder():
    # Not pytest's tmp_path: its parent is private to root.
    folder = Path(tempfile.mkdtemp(prefix="sap-stack-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_workers_run_as_nobody_where_anyone_can_reach_the_runtime(open_folder):
    assert stack.nginx_worker_user(open_folder / "nginx").startswith("nobody ")


def test_workers_run_as_the_checkout_owner_where_nobody_cannot(tmp_path):
    # A checkout in root's own home: nobody could not write large bodies there.
    tmp_path.chmod(0o700)
    owner = stack.pwd.getpwuid(stack.ROOT.stat().st_uid).pw_name

    user = stack.nginx_worker_user(tmp_path / "nginx")

    assert user.split()[0] == owner
