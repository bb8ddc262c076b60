"""Minimal configs for the Gated-SCNN paper's registered classes."""

CASES = dict(
    GatedConvLayer=dict(in_channels=4, out_channels=4),
    GSCNNOfficialGatedConvLayer=dict(in_channels=4, out_channels=4),
    GSCNNHead=dict(
        in_channels=16,
        in_index=3,
        channels=8,
        dilations=(1, 2),
        c1_in_channels=4,
        c1_channels=4,
        num_classes=3,
        shape_in_channels=4,
        gate_in_channels=(8, 8, 16),
        shape_channels=(8, 4, 4, 2)),
    GSCNNOfficialHead=dict(
        in_channels=16,
        in_index=3,
        channels=8,
        dilations=(1, 2),
        c1_in_channels=4,
        c1_channels=4,
        num_classes=3,
        dropout_ratio=0,
        shape_in_channels=4,
        gate_in_channels=(8, 8, 16),
        shape_channels=(8, 4, 4, 2),
        align_corners=True),
    GSCNNEncoderDecoder=dict(
        backbone=dict(
            type='ResNetV1c',
            depth=18,
            base_channels=4,
            out_indices=(0, 1, 2, 3)),
        decode_head=dict(
            type='GSCNNHead',
            in_channels=32,
            in_index=3,
            channels=8,
            dilations=(1, 2),
            c1_in_channels=4,
            c1_channels=4,
            num_classes=3,
            shape_in_channels=4,
            gate_in_channels=(8, 16, 32),
            shape_channels=(8, 4, 4, 2),
            loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))),
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
