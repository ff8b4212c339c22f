"""The Chinese web portal (证书查询, 人才库, 专家库, 看板, 管理): server-rendered pages over the same services
as the API, served by the same Flask app at `/` (the API stays under `/api/v1`)."""
