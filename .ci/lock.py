"""Print constraints.txt from the packages installed in .venv (run by `make lock`)."""

import re
import subprocess
import sys

HEADER = """\
# Exact versions the book is built and tested with:
#   pip install -c constraints.txt -e '.[all]'
# Regenerate after changing a dependency: make lock"""

frozen = subprocess.run(
    [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
    check=True,
    capture_output=True,
    text=True,
).stdout.splitlines()
print(HEADER)
for line in frozen:
    if not line or line.startswith(("-e", "#")):
        continue
    name, _, version = line.partition("==")
    # a local CPU build satisfies the plain pin
    version = re.sub(r"\+cpu$", "", version)
    if name.lower().replace("_", "-") == "tensorflow-cpu":
        # tensorflow-cpu has no macOS wheels; a Mac gets the same release of tensorflow
        print(f'tensorflow-cpu=={version}; sys_platform != "darwin"')
        print(f'tensorflow=={version}; sys_platform == "darwin"')
    else:
        print(f"{name}=={version}")
