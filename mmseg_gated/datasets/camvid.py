# Copyright (c) mmseg_gated contributors. All rights reserved.
import os.path as osp
from typing import List

import mmengine
import mmengine.fileio as fileio
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class CamVidDataset(BaseSegDataset):
    """CamVid with the 11 classes of the SegNet benchmark.

    Label maps hold the class index 0..10 and 11 for "Unlabelled"; the dataset
    maps 11 to ``ignore_index`` (255) through mmseg's ``label_map`` mechanism,
    so :class:`mmseg.datasets.transforms.LoadAnnotations` applies it on load.

    Two layouts are read:

    - the SegNet tutorial layout (360x480): ``train/*.png|jpg`` with
      ``trainannot/*.png`` and a split file whose lines hold
      ``<image path> <label path>`` relative to ``data_root``;
    - the full-resolution (720x960) layout written by
      ``tools/dataset_converters/camvid.py``: ``images/*.png`` with
      ``labels/*.png`` and split files listing one basename per line, i.e.
      mmseg's usual ``img_dir``/``ann_dir``/``ann_file`` convention.

    Args:
        img_suffix (str): Suffix of images when listing ``img_dir``.
            Default: '.png'.
        seg_map_suffix (str): Suffix of label maps. Default: '.png'.
        ignore_label (int): Label value of "Unlabelled" in the files.
            Default: 11.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`.
    """
    METAINFO = dict(
        classes=('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree',
                 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'),
        palette=[[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128],
                 [0, 0, 192], [128, 128, 0], [192, 128, 128], [64, 64, 128],
                 [64, 0, 128], [64, 64, 0], [0, 128, 192]])

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 ignore_label: int = 11,
                 **kwargs) -> None:
        self.ignore_label = ignore_label
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=False,
            **kwargs)

    def get_label_map(self, new_classes=None) -> dict:
        """mmseg's class-subset map plus "Unlabelled" -> ``ignore_index``.

        BaseSegDataset only builds a label map when the classes change;
        CamVid always needs its void label mapped to the ignore index.
        """
        label_map = dict(super().get_label_map(new_classes) or {})
        label_map[self.ignore_label] = getattr(self, 'ignore_index', 255)
        return label_map

    def _parse_split_line(self, line: str) -> dict:
        img_dir = self.data_prefix.get('img_path', '')
        ann_dir = self.data_prefix.get('seg_map_path', '')
        parts = line.split()
        if len(parts) == 2:  # SegNet style: "<image> <label>"
            img_rel, seg_rel = parts
            return dict(
                img_path=osp.join(self.data_root, img_rel),
                seg_map_path=osp.join(self.data_root, seg_rel))
        if len(parts) != 1:
            raise ValueError(f'{self.ann_file}: expected "<basename>" or '
                             f'"<image> <label>" per line, got {line!r}')
        name = parts[0]
        return dict(
            img_path=osp.join(img_dir, name + self.img_suffix),
            seg_map_path=osp.join(ann_dir, name + self.seg_map_suffix))

    def load_data_list(self) -> List[dict]:
        """Read the split file (either style) or list ``img_dir``."""
        if not (self.ann_file and osp.isfile(self.ann_file)):
            return super().load_data_list()
        data_list = []
        for line in mmengine.list_from_file(
                self.ann_file, backend_args=self.backend_args):
            if not line.strip():
                continue
            info = self._parse_split_line(line.strip())
            info.update(
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[])
            data_list.append(info)
        if not data_list:
            raise ValueError(f'{self.ann_file} lists no samples')
        missing = [
            d['img_path'] for d in data_list[:1] if
            not fileio.exists(d['img_path'], backend_args=self.backend_args)
        ]
        if missing:
            raise FileNotFoundError(
                f'{self.ann_file} names {missing[0]}, which does not exist; '
                f'check data_root ({self.data_root!r}) and data_prefix')
        return data_list
