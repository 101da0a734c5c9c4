# ackbench_push - sends a local directory tree to the board as one tar file, through the
# connection's own file transfer (put_file: with transfer_method=piped that is dd on both
# ends), and unpacks it there with tar. No Python on the board, unlike the copy module.
#   ackbench_push: src=LOCAL_DIR dest=REMOTE_DIR  (REMOTE_DIR relative to the login's home)
from __future__ import annotations

import os
import shlex
import tarfile
import tempfile

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        src = self._task.args.get("src")
        dest = self._task.args.get("dest")
        if not src or not dest or not os.path.isdir(src):
            return dict(result, failed=True, msg="ackbench_push: src (a local directory) and dest are required")
        rdest = shlex.quote(dest)
        with tempfile.TemporaryDirectory(prefix="ackbench-push.") as tdir:
            ltar = os.path.join(tdir, "tree.tar")
            with tarfile.open(ltar, "w", format=tarfile.USTAR_FORMAT) as tf:
                for name in sorted(os.listdir(src)):
                    tf.add(os.path.join(src, name), arcname=name)
            res = self._low_level_execute_command("mkdir -p %s" % rdest, sudoable=False)
            if res["rc"] != 0:
                return dict(result, failed=True, msg="mkdir -p %s: %s" % (dest, res["stderr"].strip()))
            self._connection.put_file(ltar, dest.rstrip("/") + "/.ackbench-push.tar")
            size = os.path.getsize(ltar)
        res = self._low_level_execute_command(
            "cd %s && tar -xf .ackbench-push.tar; rc=$?; rm -f .ackbench-push.tar; exit $rc" % rdest,
            sudoable=False)
        if res["rc"] != 0:
            return dict(result, failed=True, rc=res["rc"],
                        msg="tar -xf in %s: %s" % (dest, (res["stderr"] or res["stdout"]).strip()))
        return dict(result, changed=True, bytes=size, dest=dest)
