export function NotFoundPage() {
  return (
    <div className="content-layout">
      <h1 className="content__title">Not Found</h1>
      <div className="content__body">
        <p className="content__description">There is no page at this address.</p>
        <p>
          <a className="button button--primary" href="#/">
            Back to the home page
          </a>
        </p>
      </div>
    </div>
  );
}
