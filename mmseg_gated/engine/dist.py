# Copyright (c) mmseg_gated contributors. All rights reserved.
import os

import torch


def setup_cpu_distributed(cfg) -> None:
    """Make ``--launcher pytorch`` (torchrun) work on machines without CUDA.

    mmengine defaults to the NCCL backend, pins ``torch.cuda.set_device`` and
    wraps the model in DDP with ``device_ids=[LOCAL_RANK]``; none of that
    works on CPU. When CUDA is unavailable we switch the backend to gloo,
    initialise the process group here, and build DDP without device ids.
    Nothing changes when CUDA is available or the launcher is ``none``.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    import torch.distributed as dist
    if not dist.is_initialized():
        # mmengine's init_dist would call torch.cuda.set_device first.
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    os.environ.setdefault('LOCAL_RANK', '0')


def teardown_distributed(exit_process: bool = False) -> bool:
    """End a distributed run cleanly: barrier, destroy the group, exit.

    Call once after ``runner.train()`` / ``runner.test()`` returned normally.
    Without it, gloo's background thread (``pt_gloo_runloop``) may still be
    releasing the last collective (mmengine's ``broadcast_object_list`` of
    the metrics) while the interpreter finalises, and one rank aborts with
    ``terminate called without an active exception`` (SIGABRT) after the
    work is done. The barrier makes every rank wait until all have finished
    their last collective; destroying the group releases it while the
    interpreter is intact. The DDP wrapper (and its reducer) still holds
    the group's C++ object, whose threads would then be torn down during
    interpreter finalisation, which still aborted 1 run in 14 here; with
    ``exit_process=True`` the process flushes its logs and leaves through
    ``os._exit(0)`` without finalising those objects.

    Args:
        exit_process (bool): After the teardown, flush logging and the
            standard streams and end the process with status 0 (the tools
            use this; library callers keep the default). Default: False.

    Returns:
        bool: Whether a process group was torn down (only then does
        ``exit_process`` exit).
    """
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        return False
    dist.barrier()
    dist.destroy_process_group()
    if exit_process:
        import logging
        import sys
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return True
