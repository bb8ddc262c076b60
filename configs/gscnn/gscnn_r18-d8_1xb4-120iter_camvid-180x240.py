# CPU check on real data for Gated-SCNN: GSCNN on a ResNet-18-D8 regular
# stream (from scratch) on CamVid at 180x240, 120 iterations, same data,
# schedule and seed as deeplabv3plus_r18-d8_1xb4-120iter_camvid-180x240.py.
# Shape stream from stage 1 (64 ch), GCLs gated by stages 2-4, Canny
# gradients, boundary BCE (20) and dual-task losses (1, 1).
_base_ = ['./deeplabv3plus_r18-d8_1xb4-120iter_camvid-180x240.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='GSCNNEncoderDecoder',
    decode_head=dict(
        type='GSCNNHead',
        shape_in_index=0,
        shape_in_channels=64,
        gate_in_index=(1, 2, 3),
        gate_in_channels=(128, 256, 512),
        shape_channels=(64, 32, 16, 8),
        use_gradients=True,
        loss_edge=dict(type='BoundaryBCELoss', loss_weight=20.0),
        loss_dual_boundary=dict(type='DualTaskBoundaryLoss', loss_weight=1.0),
        loss_dual_consistency=dict(
            type='DualTaskConsistencyLoss', threshold=0.8, loss_weight=1.0)))
