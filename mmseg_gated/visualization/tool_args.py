# Copyright (c) mmseg_gated contributors. All rights reserved.
import argparse


def visualizer_parser(
    description: str,
    out_dir_help: str = "folder for the PNGs; None: the "
    "image's folder"
) -> argparse.ArgumentParser:
    """The command line the ``tools/analysis_tools/visualize_*.py`` share:
    ``CONFIG CHECKPOINT IMAGE [--out-dir DIR] [--device D]
    [--allow-partial] [--cfg-options K=V ...]``; a tool adds its own
    options.

    Args:
        description (str): The tool's description.
        out_dir_help (str): Help of ``--out-dir`` (its default differs).
    """
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        'checkpoint', help='checkpoint file ("none": random weights)')
    parser.add_argument('image', help='image file')
    parser.add_argument('--out-dir', default=None, help=out_dir_help)
    parser.add_argument('--device', default='cpu', help='device')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% of the '
        "model's parameters (the rest stays random)")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    return parser
