#!/usr/bin/env bash
# One-command setup of mmseg_gated on a machine with Python 3.11 (CPU or CUDA).
#
#   bash tools/install.sh
#
# - keeps an installed torch; otherwise installs TORCH_SPEC (default torch==2.13.0);
# - keeps a usable mmcv (2.0.0 <= version < 2.2.0, built with ops); otherwise builds
#   mmcv 2.1.0 from source with ops (about 8 minutes on 2 CPU cores; pip caches the wheel);
#   set FORCE_CUDA=1 (with nvcc on PATH) to build the CUDA kernels as well;
# - installs mmengine, mmsegmentation 1.2.x, ftfy, regex, the test tools and this package (editable);
# - installs the lint tools (flake8, isort, yapf; tests/test_lint.py runs them);
# - installs onnx and onnxruntime for the ONNX export if absent (INSTALL_ONNX=0: skip).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
pip_install() { "$PY" -m pip install --no-input "$@"; }

# mmcv's setup.py imports pkg_resources (gone in setuptools 81); torch wants >= 77.
pip_install "setuptools>=77,<81" wheel packaging ninja psutil

if "$PY" -c "import torch" 2>/dev/null; then
  echo "[install] keeping torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  pip_install "$TORCH_SPEC"
fi

# Headless OpenCV first, so mmcv does not pull the GUI build (which needs libGL).
pip_install "opencv-python-headless>=4.5" "numpy" "mmengine==0.10.7"

if "$PY" - <<'PY' 2>/dev/null
import mmcv
from packaging.version import Version
assert Version('2.0.0') <= Version(mmcv.__version__) < Version('2.2.0'), mmcv.__version__
from mmcv.ops import modulated_deform_conv2d  # noqa: F401  (compiled ops present)
PY
then
  echo "[install] keeping mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)')"
else
  "$PY" -m pip uninstall -y mmcv mmcv-lite >/dev/null 2>&1 || true
  # --no-build-isolation: build against the installed torch; without it mmcv silently
  # builds without ops.
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} pip_install --no-build-isolation "mmcv==2.1.0"
fi

pip_install "mmsegmentation>=1.2.0,<1.3" ftfy regex "pytest>=7" scipy
# Lint (tests/test_lint.py runs them; pinned so the formatting is reproducible).
pip_install "flake8==7.5.0" "isort==9.0.2" "yapf==0.43.0"
pip_install --no-build-isolation -e .
# Optional: ONNX export (tools/deployment/pytorch2onnx.py and its tests, which
# skip without them); installed only if absent. INSTALL_ONNX=0 skips.
if [ "${INSTALL_ONNX:-1}" = "1" ]; then
  if "$PY" -c "import onnx, onnxruntime" 2>/dev/null; then
    echo "[install] keeping onnx $("$PY" -c 'import onnx; print(onnx.__version__)'), onnxruntime $("$PY" -c 'import onnxruntime; print(onnxruntime.__version__)')"
  else
    pip_install onnx onnxruntime || echo "[install] onnx/onnxruntime not installed: ONNX export tests will skip"
  fi
fi
"$PY" -c "import mmseg_gated, mmcv.ops, mmseg; print('[install] ok: mmseg', mmseg.__version__, 'mmcv', mmcv.__version__, 'mmseg_gated', mmseg_gated.__version__)"
