# HRNet-OCR + multi-scale attention on Mapillary Vistas v1.2 (65 classes),
# the authors' scripts/train_mapillary.yml: 8 GPUs x 2, 1024x1024 crops,
# lr 5e-3, poly power 1.0, weight decay 1e-4, 200 epochs (225,000
# iterations), RMI, Gaussian blur, class-uniform sampling, no single-scale
# terms (the yml sets no supervised_mscale_loss_wt: 0); evaluated as their
# scripts/eval_mapillary.yml at long edge 2177 with scales 0.25, 0.5, 1.0,
# 2.0 (add `--tta` for their flip). Stage 1 of the Cityscapes models: their
# `load_from` is this run's last checkpoint.
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48.py',
    '../_base_/datasets/mapillary_v1_hmsa.py',
    '../_base_/schedules/hmsa_schedule_mapillary_8xb2-200e.py',
    '../_base_/default_runtime.py'
]
num_classes = 65
norm_cfg = dict(type='SyncBN', requires_grad=True)
hr_channels = [48, 96, 192, 384]
model = dict(
    test_scales=(0.25, 0.5, 1.0, 2.0),
    scale_loss_weight=0.0,
    decode_head=[
        dict(
            type='FCNHead',
            in_channels=hr_channels,
            channels=sum(hr_channels),
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            kernel_size=1,
            num_convs=1,
            concat_input=False,
            dropout_ratio=-1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(type='RMILoss', with_rmi=False, loss_weight=0.4)),
        dict(
            type='HMSAOCRHead',
            in_channels=hr_channels,
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            channels=512,
            ocr_channels=256,
            ocr_dropout_ratio=0.05,
            dropout_ratio=-1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            scale_attn=dict(channels=256, num_convs=2),
            loss_decode=dict(type='RMILoss', loss_weight=1.0)),
    ])
train_dataloader = dict(batch_size=2)
# `--tta`: horizontal flips only, at the test size (long edge 2177)
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=(2177, 2177), keep_ratio=True)],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
