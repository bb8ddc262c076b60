"""Minimal configs for the Gated-SCNN paper's registered classes."""
from helpers import CE_LOSS, tiny_resnet_v1c, tiny_sep_aspp_head

_HEAD = tiny_sep_aspp_head(
    'GSCNNHead',
    in_channels=16,
    shape_in_channels=4,
    gate_in_channels=(8, 8, 16),
    shape_channels=(8, 4, 4, 2))

CASES = dict(
    GatedConvLayer=dict(in_channels=4, out_channels=4),
    GSCNNOfficialGatedConvLayer=dict(in_channels=4, out_channels=4),
    GSCNNHead=_HEAD,
    GSCNNOfficialHead=dict(_HEAD, dropout_ratio=0, align_corners=True),
    GSCNNEncoderDecoder=dict(
        backbone=tiny_resnet_v1c(),
        decode_head=tiny_sep_aspp_head(
            'GSCNNHead',
            shape_in_channels=4,
            gate_in_channels=(8, 16, 32),
            shape_channels=(8, 4, 4, 2),
            loss_decode=CE_LOSS)),
    BoundaryBCELoss=dict(),
    DualTaskBoundaryLoss=dict(),
    DualTaskConsistencyLoss=dict(),
    GenerateBoundaryBand=dict(radius=2),
    CenterCropZoom=dict(crop_factor=10),
    BoundaryFScoreMetric=dict(thresholds=(3, 5, 9, 12)),
)

# the authors' training recipe
CASES.update(
    ImageBasedCrossEntropyLoss=dict(upper_bound=1.0),
    DualTaskProbabilityL1Loss=dict(),
    GenerateOneHotEdgeMap=dict(num_classes=3),
    RandomGaussianBlur=dict(),
)
