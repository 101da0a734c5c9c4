# ackbench_note - writes a small text file on the controller (parent directories made):
# what the copy module with delegate_to: localhost does, without starting a module process
# for it (a fleet run writes one such file per board step and per measurement).
#   ackbench_note: dest=LOCAL_PATH content=TEXT
from __future__ import annotations

import os

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dest = self._task.args.get("dest")
        content = self._task.args.get("content", "")
        if not dest:
            return dict(result, failed=True, msg="ackbench_note: dest is required")
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        tmp_path = dest + ".tmp"
        with open(tmp_path, "w", encoding="utf-8") as f:
            f.write(str(content))
        os.replace(tmp_path, dest)
        return dict(result, changed=True, dest=dest)
