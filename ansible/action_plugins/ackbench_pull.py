# ackbench_pull - brings a directory tree of the board back as one tar file (tar there, the
# connection's fetch_file: dd with transfer_method=piped), unpacked under a local
# directory. No Python on the board, unlike the fetch module.
#   ackbench_pull: src=REMOTE_DIR dest=LOCAL_DIR  (REMOTE_DIR relative to the login's home)
from __future__ import annotations

import os
import shlex
import tarfile
import tempfile

from ansible.plugins.action import ActionBase


def _safe(member, dest):
    """A member that stays inside dest: a regular file or a directory, no absolute path."""
    path = os.path.realpath(os.path.join(dest, member.name))
    inside = path == os.path.realpath(dest) or path.startswith(os.path.realpath(dest) + os.sep)
    return inside and (member.isfile() or member.isdir())


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        src = self._task.args.get("src")
        dest = self._task.args.get("dest")
        if not src or not dest:
            return dict(result, failed=True, msg="ackbench_pull: src and dest are required")
        rtar = src.rstrip("/") + ".ackbench-pull.tar"
        res = self._low_level_execute_command(
            "tar -cf %s -C %s ." % (shlex.quote(rtar), shlex.quote(src)), sudoable=False)
        if res["rc"] != 0:
            return dict(result, failed=True, rc=res["rc"],
                        msg="tar -cf of %s: %s" % (src, (res["stderr"] or res["stdout"]).strip()))
        os.makedirs(dest, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="ackbench-pull.") as tdir:
            ltar = os.path.join(tdir, "tree.tar")
            self._connection.fetch_file(rtar, ltar)
            self._low_level_execute_command("rm -f %s" % shlex.quote(rtar), sudoable=False)
            with tarfile.open(ltar) as tf:
                members = [m for m in tf.getmembers() if _safe(m, dest)]
                tf.extractall(dest, members=members)
        return dict(result, changed=True, files=sum(1 for m in members if m.isfile()), dest=dest)
