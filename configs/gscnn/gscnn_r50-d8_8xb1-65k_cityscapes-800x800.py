# Gated-SCNN, Table 3 (ResNet-50), row "+ Gradients":
# shape stream with GCLs, Canny image gradients fused into the ASPP, boundary
# BCE (20) and both dual-task regularisers (1, 1).
# The DeepLabV3+ R50 baseline of Table 3 with its head made GSCNNHead
# (Fig. 2): shape stream from stage 1 (stride 4, upsampled to the input
# size) with GCLs gated by stages 2, 3 and 4 (ResNet's conv3_x, conv4_x,
# conv5_x: "stages 3, 4 and the last"); Canny gradients; fusion ASPP with the
# boundary branch. Losses 1/20/1/1 as the authors' training code computes
# them (loss.py JointEdgeSegLoss): the baseline's per-image class-weighted CE
# summed over the images, their edge BCE (on the sigmoid output), their
# dual-task loss (probabilities; their smoothing and gradient helpers return
# the input) and the per-image weighted CE on the pixels of edge probability
# > 0.8. No auxiliary head (the authors' network has none).
_base_ = ['./deeplabv3plus_r50-d8_8xb1-65k_cityscapes-800x800.py']
model = dict(
    type='GSCNNEncoderDecoder',
    decode_head=dict(
        type='GSCNNHead',
        c1_in_index=0,
        shape_in_index=0,
        shape_in_channels=256,
        gate_in_index=(1, 2, 3),
        gate_in_channels=(512, 1024, 2048),
        shape_channels=(64, 32, 16, 8),
        use_gradients=True,
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
            loss_weight=1.0)))
