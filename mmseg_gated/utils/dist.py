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


def teardown_distributed() -> None:
    """End a distributed run cleanly: barrier, then destroy the group.

    Call once after ``runner.train()`` / ``runner.test()`` returned normally.
    Without it, gloo's background thread (``pt_gloo_runloop``) may still be
    releasing the last collective (mmengine's ``broadcast_object_list`` of
    the metrics) while the interpreter finalises, and one rank aborts with
    ``terminate called without an active exception`` (SIGABRT) after the
    work is done. Destroying the group alone does not close that window;
    the barrier makes every rank wait until all have finished their last
    collective. A no-op when no process group is initialised.
    """
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    dist.destroy_process_group()
