"""Showing an image in a window, where OpenCV has a GUI."""

from pyimagesearch.errors import PyImageSearchError


def show_image(title, image, output_dir):
    """`cv2.imshow` + `waitKey`; a one-line error on a headless OpenCV build.

    Args:
        title: the window's title.
        image: a BGR image.
        output_dir: where the images were written (named in the error).

    Raises:
        PyImageSearchError: this OpenCV has no GUI (opencv-python-headless).
    """
    import cv2

    try:
        cv2.imshow(title, image)
        cv2.waitKey(0)
    except cv2.error:
        raise PyImageSearchError(
            "show_image needs an OpenCV build with a GUI (this one is headless); "
            f"open the images in {output_dir} instead"
        ) from None
