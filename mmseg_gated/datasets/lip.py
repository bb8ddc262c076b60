# Copyright (c) mmseg_gated contributors. All rights reserved.
"""LIP (Look Into Person) single-person human parsing, 20 classes.

mmseg 1.2 already registers ``LIPDataset`` (20 classes, ``.jpg`` images,
``.png`` label maps holding 0..19 with 0 = Background, 255 = ignore), so this
module re-exports that class instead of registering a second one under the
same name; what mmseg lacks is shipped here: the base config
``configs/_base_/datasets/lip.py`` (473x473 crops, flips that swap the
left/right labels) and the converter ``tools/dataset_converters/lip.py`` from
the official LIP archives to the layout the config reads::

    data/LIP/
      train_images/*.jpg      train_segmentations/*.png
      val_images/*.jpg        val_segmentations/*.png
      train.txt  val.txt      (one basename per line)
"""
from mmseg.datasets import LIPDataset

#: Label pairs that a horizontal flip swaps (left/right arm, leg, shoe);
#: pass as ``RandomFlip(swap_seg_labels=LIP_FLIP_PAIRS)`` (mmcv >= 2.0).
LIP_FLIP_PAIRS = ((14, 15), (16, 17), (18, 19))

__all__ = ['LIPDataset', 'LIP_FLIP_PAIRS']
