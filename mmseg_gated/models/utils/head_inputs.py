# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List


class HeadInputsMixin:
    """Clear errors for a decode head's ``in_channels`` / ``in_index``.

    mmseg's :class:`~mmseg.models.decode_heads.decode_head.BaseDecodeHead`
    checks them with bare ``assert`` statements, and an ``in_index`` beyond
    the backbone's outputs fails as ``IndexError: list index out of range``
    deep in the forward. Put this mixin before the mmseg base class
    (``class GFFHead(HeadInputsMixin, BaseDecodeHead)``): at build it raises
    a :class:`ValueError` naming the head, both arguments and what is wrong;
    at the first forward it names the index and the number of inputs the
    backbone (or neck) gave.
    """

    def _init_inputs(self, in_channels, in_index, input_transform):
        name = type(self).__name__
        if input_transform not in (None, 'resize_concat', 'multiple_select'):
            raise ValueError(
                f"{name}: input_transform must be None, 'resize_concat' or "
                f"'multiple_select', got {input_transform!r}")
        if input_transform is None:
            if not isinstance(in_channels, int) or not isinstance(
                    in_index, int):
                raise ValueError(
                    f'{name} takes one input (input_transform=None): '
                    f'in_channels and in_index must be ints, got '
                    f'in_channels={in_channels!r}, in_index={in_index!r}')
        else:
            if not isinstance(in_channels, (list, tuple)) or not isinstance(
                    in_index, (list, tuple)):
                raise ValueError(
                    f'{name} takes several inputs (input_transform='
                    f'{input_transform!r}): in_channels and in_index must '
                    f'be lists, got in_channels={in_channels!r}, '
                    f'in_index={in_index!r}')
            if len(in_channels) != len(in_index):
                raise ValueError(
                    f'{name}: in_channels and in_index must have the same '
                    f'length, got in_channels={list(in_channels)} '
                    f'({len(in_channels)} entries) and '
                    f'in_index={list(in_index)} ({len(in_index)} entries)')
        super()._init_inputs(in_channels, in_index, input_transform)

    def _transform_inputs(self, inputs: List):
        if isinstance(inputs, (list, tuple)):
            indices = (
                self.in_index if isinstance(self.in_index,
                                            (list,
                                             tuple)) else [self.in_index])
            bad = [i for i in indices if not -len(inputs) <= i < len(inputs)]
            if bad:
                raise ValueError(
                    f'{type(self).__name__}: in_index {bad[0]} is out of '
                    f'range: the backbone (or neck) gave {len(inputs)} '
                    f'outputs (in_index={self.in_index})')
        return super()._transform_inputs(inputs)
