# Gated-SCNN, Table 1 row "Ours (GSCNN)" (also Table 2 "Ours" and Table 3,
# Wide-ResNet, "+ Gradients"): the authors' released network layout
# (GSCNNOfficialHead): WiderResNet-38 A2 at output stride 8; shape stream
# from mod1 (64 ch, full resolution) gated by mod3, mod4 and mod7 with their
# GCL gates; Canny gradients of the normalised input (as their code); plain
# atrous ASPP on mod7 with the boundary branch; 1x1 ASPP projection and 1x1
# reduction of mod2 (no norm); two 3x3 ConvBNReLU; inner resizes
# align_corners=True, the final upsampling align_corners=False. Their
# checkpoint converts with
#   tools/model_converters/gscnn_official.py
# The DeepLabV3+ WRN-38 baseline (Table 1) supplies backbone, ASPP widths,
# decoder c1, norm, align_corners, data, schedule and the segmentation loss;
# the GSCNN head adds the shape stream and the other three losses. Training as
# the authors' code (see README "Training recipe"): 1 image per GPU on 8
# GPUs, 175 epochs, their four losses as loss.py computes them (weights
# 1/20/1/1); tests/oracle/test_gscnn_train_oracle.py checks the losses and
# every gradient against their code. The losses as the paper describes them:
# gscnn-paperloss_wrn38-a2_8xb1-65k_cityscapes-800x800.py.
_base_ = ['./deeplabv3plus_wrn38-a2_8xb1-65k_cityscapes-800x800.py']
model = dict(
    type='GSCNNEncoderDecoder',
    backbone=dict(out_indices=(0, 1, 2, 3, 6)),  # mod1-4, mod7
    decode_head=dict(
        type='GSCNNOfficialHead',
        in_index=4,
        c1_in_index=1,
        shape_in_index=0,
        shape_in_channels=64,
        gate_in_index=(2, 3, 4),
        gate_in_channels=(256, 512, 4096),
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
