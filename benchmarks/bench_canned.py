"""The canned values both sides of a benchmark use (key, prompt, task answer); nothing else here.

Plain constants with no imports: the cold-start child loads this before its clock starts.
"""

KEY = "sk-bench"
BASE_URL = "https://api.example.com"
PROMPT = "Delete the selected object from <<<video_1>>>"
CREATE_PATH = "/kling/v1/videos/multi-elements"
TASK_ID = "860893347496980557"
TASK_PATH = f"{CREATE_PATH}/{TASK_ID}"
# A finished removal task as Kling's query route answers it (the get-task example of its
# reference, with realistic values).
TASK_BODY = (
    b'{"code":0,"message":"SUCCEED","request_id":"bench-0001","data":{'
    b'"task_id":"860893347496980557","task_status":"succeed","task_status_msg":"",'
    b'"task_info":{"external_task_id":"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"},'
    b'"task_result":{"videos":[{"id":"b3c5e7f1-0a2d-4c6e-8f10-2a4c6e8f0b1d",'
    b'"session_id":"860893116416258097","url":"https://cdn.example.com/result.mp4",'
    b'"watermark_url":"https://cdn.example.com/result-wm.mp4","duration":"5.1"}]},'
    b'"watermark_info":{"enabled":false},"final_unit_deduction":"5",'
    b'"created_at":1722769557708,"updated_at":1722769612345}}'
)
CONTENT_TYPE = {"content-type": "application/json"}
