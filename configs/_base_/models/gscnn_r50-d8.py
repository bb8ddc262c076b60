# Gated-SCNN (Takikawa et al., ICCV 2019, Fig. 2) on a dilated ResNet-50
# (output stride 8): DeepLabV3+ regular stream; shape stream from stage 1
# (stride 4, upsampled to the input size) with GCLs gated by stages 2, 3 and
# 4 (ResNet's conv3_x, conv4_x, conv5_x: "stages 3, 4 and the last"); Canny
# gradients; fusion ASPP with the boundary branch; losses 1/20/1/1 as the
# authors' training code computes them (loss.py JointEdgeSegLoss): per-image
# class-weighted CE summed over the images, their edge BCE (on the sigmoid
# output), their dual-task loss (probabilities; their smoothing and gradient
# helpers return the input) and the per-image weighted CE on the pixels of
# edge probability > 0.8. No auxiliary head (the authors' network has none).
_base_ = ['./deeplabv3plus_r50-d8.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    type='GSCNNEncoderDecoder',
    decode_head=dict(
        type='GSCNNHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 12, 24, 36),
        c1_in_channels=256,
        c1_channels=48,
        c1_in_index=0,
        shape_in_index=0,
        shape_in_channels=256,
        gate_in_index=(1, 2, 3),
        gate_in_channels=(512, 1024, 2048),
        shape_channels=(64, 32, 16, 8),
        use_gradients=True,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            _delete_=True,
            type='ImageBasedCrossEntropyLoss',
            upper_bound=1.0,
            image_reduction='sum',
            loss_weight=1.0),
        loss_edge=dict(
            type='BoundaryBCELoss',
            loss_weight=20.0,
            double_sigmoid=True,
            normalize_by='all'),
        loss_dual_boundary=dict(
            type='DualTaskProbabilityL1Loss', loss_weight=1.0),
        loss_dual_consistency=dict(
            type='DualTaskConsistencyLoss',
            threshold=0.8,
            loss_cls=dict(type='ImageBasedCrossEntropyLoss', upper_bound=1.0),
            loss_weight=1.0)),
    auxiliary_head=None)
