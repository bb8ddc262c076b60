"""Wrong in_channels / in_index in our heads: a ValueError naming the head
and the arguments, instead of mmseg's bare AssertionError or an IndexError
in the forward (mmseg's own UPerHead is the reference for the old
behaviour)."""
import pytest
import torch
from mmseg.registry import MODELS

import mmseg_gated  # noqa: F401

GFF = dict(
    type='GFFHead',
    in_channels=[4, 8, 16],
    in_index=[0, 1, 2],
    channels=8,
    num_classes=3,
    context_channels=8,
    pool_scales=(1, 2),
    fusion_cfg=dict(out_channels=8),
    dfp_channels=8,
    loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))
PSP = dict(
    type='GSTOPSPHead',
    in_channels=8,
    channels=4,
    num_classes=3,
    pool_scales=(1, 2),
    loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))


def test_mmseg_reference_gives_bare_assertion():
    with pytest.raises(AssertionError) as info:
        MODELS.build(
            dict(
                type='UPerHead',
                in_channels=[4, 8],
                in_index=[0, 1, 2],
                channels=4,
                num_classes=3))
    assert str(info.value) == ''


@pytest.mark.parametrize('update, needle', [
    (dict(in_index=[0, 1]),
     'in_channels=[4, 8, 16] (3 entries) and in_index=[0, 1] (2 entries)'),
    (dict(in_channels=16), 'must be lists, got in_channels=16'),
])
def test_gff_head_arguments(update, needle):
    with pytest.raises(ValueError) as info:
        MODELS.build(dict(GFF, **update))
    assert str(info.value).startswith('GFFHead')
    assert needle in str(info.value)


def test_single_input_head_needs_ints():
    with pytest.raises(
            ValueError,
            match=r'GSTOPSPHead takes one input .*'
            r'in_channels=\[8, 16\], in_index=\[0, 1\]'):
        MODELS.build(dict(PSP, in_channels=[8, 16], in_index=[0, 1]))


def test_in_index_out_of_range_at_forward():
    head = MODELS.build(dict(PSP, in_index=4))
    feats = [torch.randn(1, 8, 8, 8) for _ in range(3)]
    with pytest.raises(
            ValueError,
            match='GSTOPSPHead: in_index 4 is out of '
            r'range: the backbone \(or neck\) gave 3 outputs'):
        head(feats)
    head = MODELS.build(dict(PSP, in_index=2))
    assert head(feats).shape == (1, 3, 8, 8)
    head = MODELS.build(dict(GFF, in_index=[0, 1, 3]))
    feats = [
        torch.randn(1, c, 16 // 2**i, 16 // 2**i)
        for i, c in enumerate([4, 8, 16])
    ]
    with pytest.raises(ValueError, match='GFFHead: in_index 3 is out'):
        head(feats)
