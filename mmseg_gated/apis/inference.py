# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Models for the tools: :func:`mmseg.apis.init_model` with a checkpoint
that must fit the config."""
from typing import Callable, Optional

from mmengine.config import Config
from mmengine.logging import print_log

from .checkpoint import (CheckpointLoadError, enable_safe_checkpoint_loading,
                         load_checkpoint_file, loaded_state_shapes)
from .checkpoint_coverage import check_checkpoint_coverage


def init_model_checked(config,
                       checkpoint=None,
                       device: str = 'cpu',
                       allow_partial: bool = False,
                       min_fraction: float = 0.99,
                       **kwargs):
    """:func:`mmseg.apis.init_model`, then :func:`check_checkpoint_coverage`.

    For tools that build a model from a checkpoint the user names
    (``tools/autolabel.py``, the visualisers): a checkpoint of another
    architecture stops with an error instead of giving a partly random
    model. The checkpoint is read without executing pickled code
    (:func:`~mmseg_gated.apis.load_checkpoint_file`).

    Args:
        config (str | Config): The model config.
        checkpoint (str, optional): Checkpoint path; None builds a randomly
            initialised model and checks nothing.
        device (str): Device for the model. Default: 'cpu'.
        allow_partial (bool): Log instead of raising. Default: False.
        min_fraction (float): See :func:`check_checkpoint_coverage`.
        **kwargs: Passed to ``init_model``.
    """
    # imported on use: mmseg.apis loads mmseg's inferencers
    from mmseg.apis import init_model
    enable_safe_checkpoint_loading()
    model = init_model(config, checkpoint, device=device, **kwargs)
    if checkpoint is not None:
        shapes = loaded_state_shapes(checkpoint)
        if shapes is None:
            shapes = load_checkpoint_file(checkpoint, 'cpu')
        cov = check_checkpoint_coverage(model, shapes, checkpoint,
                                        min_fraction, allow_partial)
        print_log(
            f'Checkpoint {checkpoint}: {cov.summary()}', logger='current')
    return model


def init_tool_model(config,
                    checkpoint,
                    device: str = 'cpu',
                    allow_partial: bool = False,
                    cfg_options: Optional[dict] = None,
                    prepare: Optional[Callable] = None):
    """The model a command-line tool was given: :func:`init_model_checked`
    with the tools' conventions.

    Args:
        config (str | Config): Config file or a loaded config.
        checkpoint (str): Checkpoint path, or ``'none'`` for random weights.
        device (str): Device for the model. Default: 'cpu'.
        allow_partial (bool): ``--allow-partial``. Default: False.
        cfg_options (dict, optional): ``--cfg-options``, merged first.
        prepare (callable, optional): Called with the config before the
            model is built (a tool that sets ``test_cfg``, scales, ...).

    Raises:
        SystemExit: the checkpoint cannot be read or does not fit, with the
            loader's message.
    """
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if prepare is not None:
        prepare(cfg)
    ckpt = None if checkpoint is None or checkpoint.lower() == 'none' \
        else checkpoint
    try:
        return init_model_checked(
            cfg, ckpt, device=device, allow_partial=allow_partial)
    except CheckpointLoadError as e:
        raise SystemExit(f'error: {e}') from None
