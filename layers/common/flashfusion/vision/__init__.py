"""Reading images: OCR engines (Tesseract, Rekognition DetectText) and image moderation (Rekognition)."""
