# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Load the checkpoints mmengine's Runner saves on torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``. mmengine
0.10.x calls it without the argument, and a Runner checkpoint carries a
``message_hub`` whose :class:`~mmengine.logging.HistoryBuffer` objects pickle
their statistics methods through ``getattr``: the safe unpickler refuses
them, so ``--resume`` and ``tools/test.py`` fail with an ``UnpicklingError``.
``getattr`` cannot be allow-listed without defeating the safe loader, so the
tools (whose checkpoint path the user names on the command line) load local
files safely first and fall back to a full load only for files the safe
loader refuses, with a log line saying so.
"""
import pickle

import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader


def load_local_checkpoint(filename: str, map_location=None):
    """``torch.load`` a local file: safe load first, full load if refused.

    Args:
        filename (str): Local checkpoint path.
        map_location: Passed to :func:`torch.load`.
    """
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        print_log(
            f'{filename} holds more than tensors (an mmengine Runner '
            'checkpoint); loading it with weights_only=False because its '
            'path was given to this tool. Only load checkpoints you trust.',
            logger='current')
        return torch.load(
            filename, map_location=map_location, weights_only=False)


def enable_trusted_checkpoint_loading() -> None:
    """Make mmengine load local checkpoints with :func:`load_local_checkpoint`.

    ``tools/train.py`` and ``tools/test.py`` call this; call it in your own
    scripts to resume or test Runner checkpoints on torch >= 2.6. Remote
    schemes (``http://``, ``open-mmlab://`` ...) keep mmengine's loaders.
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
