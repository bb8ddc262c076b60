# `--tta` with horizontal flips only, at the 2048x1024 test size, for the
# models that combine their own test scales (a dataset base's multi-ratio
# TTA would multiply them). Defines no `tta_pipeline` itself, so it combines
# with any dataset base; a config or dataset base takes it with
#   tta_pipeline = {{_base_.flip_tta_pipeline}}
# (as cityscapes_fine_coarse.py does).
flip_tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=(2048, 1024), keep_ratio=True)],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
