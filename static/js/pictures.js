// A picture's thumbnail is made by a worker once its upload commits (core.thumbnails):
// until then its address answers 404, and the picture itself (data-full) shows instead.
// Loaded in <head> before any picture, so that no error event passes unheard.
document.addEventListener(
  "error",
  (event) => {
    const picture = event.target;
    if (picture instanceof HTMLImageElement && picture.dataset.full && picture.src !== picture.dataset.full) {
      picture.src = picture.dataset.full;
    }
  },
  true,
);
