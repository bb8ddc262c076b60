# Gated-SCNN WRN-38 (Table 1 network and recipe) trained with the losses as
# the paper describes them instead of as the authors' code computes them:
# mean cross-entropy over labelled pixels (Eq. 3, lambda_2 = 1), the
# class-balanced boundary BCE on the logits (Eq. 3, lambda_1 = 20), the
# dual-task boundary loss with Gaussian smoothing and central differences
# (Eq. 4-5, lambda_3 = 1), the mean CE on pixels of boundary probability
# > 0.8 (Eq. 6, lambda_4 = 1), and the boundary band of every class (road
# included, ignored pixels ignored, the image border no boundary) as target.
_base_ = ['./gscnn_wrn38-a2_8xb1-65k_cityscapes-800x800.py']
model = dict(
    decode_head=dict(
        loss_decode=dict(
            _delete_=True,
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True),
        loss_edge=dict(
            _delete_=True, type='BoundaryBCELoss', loss_weight=20.0),
        loss_dual_boundary=dict(
            _delete_=True, type='DualTaskBoundaryLoss', loss_weight=1.0),
        loss_dual_consistency=dict(
            _delete_=True,
            type='DualTaskConsistencyLoss',
            threshold=0.8,
            loss_weight=1.0)))
# the paper's boundary target (a band around label changes) in place of
# the authors' one-hot edge map
train_pipeline = _base_.train_pipeline
train_pipeline[-2] = dict(type='GenerateBoundaryBand', radius=2)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
