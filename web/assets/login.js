// Exchanges a token for the session cookie, then opens the dashboard; the token is never kept in the page.
const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: input.value }),
  });
  input.value = '';
  if (res.ok) {
    location.href = '/';
    return;
  }
  error.hidden = false;
  error.textContent = 'That token is not valid here.';
});
